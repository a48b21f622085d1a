import { describe, expect, it } from 'vitest'
import { chartMirrorFrom } from './chart-mirror.ts'

describe('chartMirrorFrom', () => {
  it('takes http(s) repositories and OCI registry paths, and nothing when unset', () => {
    expect(chartMirrorFrom(undefined)).toBeUndefined()
    expect(chartMirrorFrom('  ')).toBeUndefined()
    expect(chartMirrorFrom('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080')
    expect(chartMirrorFrom(' https://charts.lan/mirror/ ')).toBe('https://charts.lan/mirror/')
    expect(chartMirrorFrom('oci://registry.lan/charts')).toBe('oci://registry.lan/charts')
  })

  it('refuses anything else, naming the variable', () => {
    for (const bad of ['charts.lan', 'file:///srv/charts', 'ftp://charts.lan', 'oci://'])
      expect(() => chartMirrorFrom(bad)).toThrow(
        /CLUSTERDECK_CHART_REPOSITORY must be an http\(s\):\/\/ chart/,
      )
  })
})
