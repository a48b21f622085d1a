import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { makeTempDir } from '../../tests/support/temp-dir.ts'
import type { ClusterRecord } from '../../src-shared/clusters/cluster-schema.ts'
import { compilePlan } from '../../src-shared/lifecycle/compile-plan.ts'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import { checkDay2Start } from './upgrade-checks.ts'

const profile = profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })
const deployed = {
  nodes: [{ hostname: 'turing-cp1' }],
  destroyedAt: null,
  versions: { talos: 'v1.12.0', kubernetes: 'v1.35.0' },
} as unknown as ClusterRecord

describe('checkDay2Start', () => {
  it('lets a deploy start whatever the record says, and a day-2 run only on a deployed cluster', () => {
    expect(() => checkDay2Start(null, profile, compilePlan(profile))).not.toThrow()
    expect(() => checkDay2Start(null, profile, compilePlan(profile, 'backup'))).toThrow(
      /Nothing has been deployed from "lab": there is no cluster to backup/,
    )
    const destroyed = { ...deployed, destroyedAt: '2026-12-01T00:00:00Z' }
    expect(() => checkDay2Start(destroyed, profile, compilePlan(profile, 'destroy'))).toThrow(
      /"lab" was destroyed on 2026-12-01T00:00:00Z/,
    )
    expect(() => checkDay2Start(deployed, profile, compilePlan(profile, 'backup'))).not.toThrow()
  })

  it('refuses an upgrade that skips a minor release or goes back, for Talos and Kubernetes', () => {
    const upgrade = (talosVersion: string, kubernetesVersion?: string) =>
      compilePlan(profile, 'upgrade', { talosVersion, ...(kubernetesVersion ? { kubernetesVersion } : {}) })
    expect(() => checkDay2Start(deployed, profile, upgrade('v1.13.2', 'v1.36.0'))).not.toThrow()
    expect(() => checkDay2Start(deployed, profile, upgrade('v1.14.0'))).toThrow(
      /The upgrade of "lab" was not started: Talos moves one minor release at a time/,
    )
    expect(() => checkDay2Start(deployed, profile, upgrade('v1.12.0', 'v1.34.0'))).toThrow(
      /Kubernetes v1\.34\.0 is older than the cluster’s v1\.35\.0/,
    )
  })
  it('starts a restore only with a readable snapshot, for Talos and K3s', () => {
    const dir = makeTempDir()
    try {
      const snapshot = join(dir.path, 'etcd.snapshot')
      writeFileSync(snapshot, 'etcd')
      const restore = (path?: string) =>
        compilePlan(profile, 'restore', path === undefined ? {} : { restoreSnapshot: path })
      expect(() => checkDay2Start(null, profile, restore(snapshot))).not.toThrow()
      expect(() => checkDay2Start(null, profile, restore())).toThrow(/needs the snapshot to recover from/)
      expect(() => checkDay2Start(null, profile, restore(join(dir.path, 'missing')))).toThrow(
        /is not a readable file/,
      )
      const k3s = profileFromTemplate('k3s-rk1-armbian', { name: 'k', board: 'rack-1' })
      expect(() =>
        checkDay2Start(null, k3s, compilePlan(k3s, 'restore', { restoreSnapshot: snapshot })),
      ).not.toThrow()
      expect(() => checkDay2Start(null, k3s, compilePlan(k3s, 'restore'))).toThrow(
        /A restore of "k" needs the snapshot/,
      )
    } finally {
      dir.remove()
    }
  })
})
