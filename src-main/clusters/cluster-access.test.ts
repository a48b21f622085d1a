// The user's access to a cluster's sealed configs over a real SQLite file and real sealed files
// (the data key in memory): what is offered by which name, the masked machine configs in the
// record's node order, where a merge goes by default, and what is said when nothing is sealed yet.
import { lstatSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import { MemorySecretStore } from '../../tests/support/memory-secret-store.ts'
import { makeTempDir } from '../../tests/support/temp-dir.ts'
import { SealedSecrets } from '../secrets/sealed-secrets.ts'
import { openDatabase, type Db } from '../store/database.ts'
import { ClusterAccess } from './cluster-access.ts'
import { ClusterRepository } from './cluster-repository.ts'
import { ClusterService } from './cluster-service.ts'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'
import { clusterNodeOf } from '../../src-shared/clusters/cluster-schema.ts'

const talosconfig = `context: lab
contexts:
  lab:
    endpoints: [127.0.0.11]
    nodes: [127.0.0.11, 127.0.0.12]
    ca: Q0E=
    crt: Q1JU
    key: VEFMT1MtS0VZ
`

let dir: ReturnType<typeof makeTempDir>
let db: Db
let clusters: ClusterService
let env: NodeJS.ProcessEnv
let access: ClusterAccess

function recordFor(distribution: 'talos' | 'k3s', name = 'lab') {
  const profile = profileFromTemplate(distribution === 'talos' ? 'talos-rk1-longhorn' : 'k3s-rk1-armbian', {
    name,
    board: 'rack-1',
  })
  const record = clusters.forProfile(null, profile)
  // Nodes listed workers first: the order is the record's, not the sealing's.
  const nodes = [...profile.nodes].reverse().map(clusterNodeOf)
  new ClusterRepository(db).save({ ...record, nodes })
  return { record, nodes }
}

beforeEach(() => {
  dir = makeTempDir()
  db = openDatabase(join(dir.path, 'data'))
  clusters = new ClusterService(
    new ClusterRepository(db),
    new SealedSecrets(join(dir.path, 'data'), new MemorySecretStore()),
  )
  env = { HOME: join(dir.path, 'home') }
  access = new ClusterAccess(clusters, () => env)
})
afterEach(() => {
  db.close()
  dir.remove()
})

describe('cluster access', () => {
  it('hands out a sealed config under a file name of the cluster', async () => {
    const { record } = recordFor('talos')
    await clusters.sealSecret(record.id, 'talosconfig', talosconfig)
    expect(await access.config('lab', 'talosconfig')).toEqual({
      fileName: 'lab-talosconfig.yaml',
      content: talosconfig,
    })
  })

  it('shows the machine configs masked, in the record’s node order, for the nodes that have one', async () => {
    const { record, nodes } = recordFor('talos')
    for (const node of nodes.slice(1))
      await clusters.sealSecret(
        record.id,
        sealedNames.machineConfig(node.hostname),
        `machine:\n  token: SECRET-${node.hostname}\n  network:\n    hostname: ${node.hostname}\n`,
      )
    const shown = await access.machineConfigs('lab')
    expect(shown.map((config) => [config.hostname, config.role])).toEqual(
      nodes.slice(1).map((node) => [node.hostname, node.role]),
    )
    expect(shown[0]!.yaml).toBe(
      `machine:\n  token: ••••••••\n  network:\n    hostname: ${nodes[1]!.hostname}\n`,
    )
  })

  it('says what is not sealed yet and how to get it', async () => {
    recordFor('talos')
    await expect(access.config('lab', 'kubeconfig')).rejects.toMatchObject({
      code: 'not_found',
      message: 'Cluster "lab" has no kubeconfig yet: it is sealed when a deploy bootstraps the cluster.',
      hint: expect.stringContaining('clusterdeck deploy lab'),
    })
    recordFor('k3s', 'edge')
    await expect(access.config('edge', 'talosconfig')).rejects.toMatchObject({
      message: 'Cluster "edge" runs K3s: it has no talosconfig.',
    })
    expect(await access.machineConfigs('edge')).toEqual([])
  })

  it('merges into $KUBECONFIG’s first file, $TALOSCONFIG, or the files under HOME', () => {
    recordFor('talos')
    expect(access.mergeTarget('lab', 'kubeconfig')).toEqual({
      path: join(dir.path, 'home', '.kube', 'config'),
      context: 'lab',
    })
    expect(access.mergeTarget('lab', 'talosconfig').path).toBe(join(dir.path, 'home', '.talos', 'config'))
    env = { ...env, KUBECONFIG: ':/a/first:/b/second', TALOSCONFIG: '/c/talos' }
    expect(access.mergeTarget('lab', 'kubeconfig').path).toBe('/a/first')
    expect(access.mergeTarget('lab', 'talosconfig').path).toBe('/c/talos')
  })

  it('writes a merge 0600 through a symbolic link, leaving the link in place', async () => {
    const { record } = recordFor('talos')
    await clusters.sealSecret(record.id, 'talosconfig', talosconfig)
    const real = join(dir.path, 'dotfiles-talosconfig')
    writeFileSync(real, 'context: home\ncontexts:\n  home:\n    endpoints: [10.0.0.2]\n', { mode: 0o644 })
    const link = join(dir.path, 'talosconfig')
    symlinkSync(real, link)
    env = { ...env, TALOSCONFIG: link }
    expect(await access.mergeConfig({ ref: 'lab', kind: 'talosconfig', onConflict: 'refuse' })).toEqual({
      path: link,
      context: 'lab',
      outcome: 'added',
    })
    expect(lstatSync(link).isSymbolicLink()).toBe(true)
    expect(readFileSync(real, 'utf8')).toContain('key: VEFMT1MtS0VZ')
    expect(statSync(real).mode & 0o777).toBe(0o600)
  })
})
