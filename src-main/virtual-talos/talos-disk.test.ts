import { describe, expect, it } from 'vitest'
import { defaultTalosVersion, freshTalosDisk } from './talos-disk.ts'

describe('freshTalosDisk', () => {
  it('installs the version the image file names, else the default', () => {
    expect(freshTalosDisk('metal-arm64-v1.12.0.raw.xz').version).toBe('v1.12.0')
    expect(freshTalosDisk('talos-v1.13.0-beta.1-arm64.raw').version).toBe('v1.13.0-beta.1')
    expect(freshTalosDisk('rk1-cluster.raw').version).toBe(defaultTalosVersion)
    expect(freshTalosDisk(undefined)).toMatchObject({
      config: undefined,
      etcdData: false,
      wipedPartitions: [],
    })
  })
})
