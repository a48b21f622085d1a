// The cluster record follows what runs did, over a real SQLite file: imaged nodes with their image,
// the API endpoint after a bootstrap, a destroy; and the sealed files it lists.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { compilePlan } from '../../src-shared/lifecycle/compile-plan.ts'
import type { OperationId } from '../../src-shared/lifecycle/plan.ts'
import type { Run, RunState } from '../../src-shared/lifecycle/run-schema.ts'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import { MemorySecretStore } from '../../tests/support/memory-secret-store.ts'
import { makeTempDir } from '../../tests/support/temp-dir.ts'
import { SealedSecrets } from '../secrets/sealed-secrets.ts'
import { openDatabase, type Db } from '../store/database.ts'
import { ClusterRepository } from './cluster-repository.ts'
import { ClusterService } from './cluster-service.ts'

const profile = profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })
const sha = 'a'.repeat(64)
const outputs: Record<string, Record<string, unknown>> = {
  'image:talos-longhorn-turing-rk1': { sha256: sha, name: 'talos.raw' },
}

function runOf(operation: OperationId, done: string[], state: RunState = 'done'): Run {
  const plan = compilePlan(profile, operation)
  return {
    id: `run-${operation}`,
    operation,
    profileId: null,
    profileName: 'lab',
    distribution: 'talos',
    plan,
    throughPhase: plan.steps.at(-1)!.phase,
    state,
    createdAt: '2026-12-01T10:00:00Z',
    finishedAt: '2026-12-01T10:10:00Z',
    message: null,
    steps: plan.steps.map((step) => ({
      stepId: step.id,
      state: done.includes(step.id) ? 'done' : 'not-run',
      attempts: done.includes(step.id) ? 1 : 0,
      startedAt: null,
      finishedAt: done.includes(step.id) ? '2026-12-01T10:05:00Z' : null,
      message: null,
      earlierAttempts: [],
    })),
  }
}

let dir: ReturnType<typeof makeTempDir>
let db: Db
let clusters: ClusterService

beforeEach(() => {
  dir = makeTempDir()
  db = openDatabase(dir.path)
  clusters = new ClusterService(
    new ClusterRepository(db),
    new SealedSecrets(dir.path, new MemorySecretStore()),
  )
})
afterEach(() => {
  db.close()
  dir.remove()
})

describe('cluster records', () => {
  it('leaves no record for a run that changed nothing', () => {
    clusters.recordRun(runOf('deploy', [], 'failed'), profile, (id) => outputs[id])
    expect(clusters.list()).toEqual([])
    expect(() => clusters.get('lab')).toThrow(/No cluster record "lab"/)
  })

  it('records the nodes a deploy imaged, then the API endpoint once bootstrapped, then a destroy', () => {
    clusters.recordRun(
      runOf('deploy', ['flash:turing-cp1', 'flash:turing-w1'], 'failed'),
      profile,
      (id) => outputs[id],
    )
    const imaged = clusters.get('lab')
    expect(imaged).toMatchObject({
      profileName: 'lab',
      distribution: 'talos',
      versions: { talos: 'v1.13.9', kubernetes: '1.36.1' },
      apiEndpoint: null,
      lastRunId: 'run-deploy',
      destroyedAt: null,
    })
    expect(imaged.nodes).toEqual([
      expect.objectContaining({
        hostname: 'turing-cp1',
        slot: 1,
        imageSha256: sha,
        flashedAt: '2026-12-01T10:05:00Z',
      }),
      expect.objectContaining({ hostname: 'turing-w1', role: 'worker', address: '10.10.88.74' }),
    ])

    clusters.recordRun(runOf('deploy', ['talos:export']), profile, (id) => outputs[id])
    expect(clusters.get(imaged.id)).toMatchObject({ apiEndpoint: 'https://10.10.88.73:6443', readyAt: null })
    expect(clusters.get(imaged.id).nodes).toHaveLength(2)

    clusters.recordRun(runOf('deploy', ['cluster:ready']), profile, (id) => outputs[id])
    expect(clusters.get(imaged.id).readyAt).toBe('2026-12-01T10:05:00Z')
    // Imaged again: not Ready until that deploy's last step.
    clusters.recordRun(runOf('deploy', ['flash:turing-w1'], 'failed'), profile, (id) => outputs[id])
    expect(clusters.get(imaged.id).readyAt).toBeNull()
    clusters.recordRun(runOf('deploy', ['cluster:ready']), profile, (id) => outputs[id])

    clusters.recordRun(runOf('destroy', ['power-off:turing-cp1']), profile, () => undefined)
    expect(clusters.get('lab')).toMatchObject({
      apiEndpoint: null,
      readyAt: null,
      destroyedAt: expect.any(String),
    })
    expect(clusters.list()).toHaveLength(1)
  })

  it('keeps where a node answers and the config it took from the moment it took it, across the run’s record', () => {
    const cp1 = profile.nodes[0]!
    clusters.recordAppliedConfig(null, profile, cp1, {
      apiAddress: '127.0.0.11',
      configSha256: 'c'.repeat(64),
    })
    expect(clusters.appliedConfigSha256('lab', 'turing-cp1')).toBe('c'.repeat(64))
    expect(clusters.appliedConfigSha256('lab', 'turing-w1')).toBeNull()

    clusters.recordRun(runOf('deploy', ['flash:turing-cp1', 'flash:turing-w1']), profile, (id) => outputs[id])
    expect(
      clusters.get('lab').nodes.map((node) => [node.hostname, node.imageSha256, node.apiAddress]),
    ).toEqual([
      ['turing-cp1', sha, '127.0.0.11'],
      ['turing-w1', sha, null],
    ])
    clusters.recordAppliedConfig(null, profile, cp1, {
      apiAddress: '127.0.0.11',
      configSha256: 'd'.repeat(64),
    })
    expect(clusters.get('lab').nodes[0]).toMatchObject({ imageSha256: sha, configSha256: 'd'.repeat(64) })
  })

  it('records where a K3s node answers SSH as soon as a step reached it, kept while secrets are sealed', async () => {
    const k3s = profileFromTemplate('k3s-rk1-armbian', { name: 'edge', board: 'rack-1' })
    expect(clusters.sshEndpoint('edge', 'turing-w1')).toBeNull()
    const record = clusters.forProfile(null, k3s)
    // A seal in flight while two nodes are reached: none of the three changes is lost.
    const sealing = clusters.sealSecret(record.id, 'ssh-key', 'private key text')
    clusters.recordSshEndpoint(null, k3s, k3s.nodes[1]!, { sshAddress: '127.0.0.12', sshPort: 2222 })
    clusters.recordSshEndpoint(null, k3s, k3s.nodes[2]!, { sshAddress: '127.0.0.13', sshPort: 2222 })
    await sealing
    expect(clusters.sshEndpoint('edge', 'turing-w1')).toEqual({ sshAddress: '127.0.0.12', sshPort: 2222 })
    expect(clusters.sshEndpoint('edge', 'turing-w2')).toEqual({ sshAddress: '127.0.0.13', sshPort: 2222 })
    expect(clusters.get('edge').artifacts.map((a) => a.name)).toEqual(['ssh-key'])
    expect(clusters.get('edge').nodes.find((n) => n.hostname === 'turing-w1')).toMatchObject({
      address: '10.10.88.74',
      apiAddress: null,
      configSha256: null,
    })
  })

  it('lists sealed secrets as artifacts, by path, without their content', async () => {
    clusters.recordRun(runOf('deploy', ['flash:turing-cp1']), profile, (id) => outputs[id])
    const { id } = clusters.get('lab')
    await clusters.sealSecret(id, 'kubeconfig', 'apiVersion: v1 # first')
    await clusters.sealSecret(id, 'kubeconfig', 'apiVersion: v1 # second')
    expect(clusters.get('lab').artifacts).toEqual([
      { name: 'kubeconfig', path: `clusters/${id}/secrets/kubeconfig.sealed`, sealedAt: expect.any(String) },
    ])
    expect((await clusters.openSecret('lab', 'kubeconfig')).toString()).toBe('apiVersion: v1 # second')
    await expect(clusters.sealSecret('nope', 'kubeconfig', 'x')).rejects.toThrow(/No cluster record "nope"/)
  })
})
