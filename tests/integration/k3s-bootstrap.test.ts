// The K3s Cluster bootstrap phase run by the real engine over a real SQLite file, with the cluster's
// secrets really sealed, against sandboxed Armbian nodes (tests/support/sandbox-node-shells.ts:
// the steps' real commands in a real sh). The imaging before it is stood in for: each node "boots"
// with SSH on its loopback address, as a virtual Armbian node does. A deploy goes from first-boot
// nodes to a sealed kubeconfig and every node Ready; a run killed while the agents join is resumed
// without installing the server again.
import { spawnSync } from 'node:child_process'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { stepIds } from '../../src-shared/lifecycle/step-ids.ts'
import type { ClusterProfile } from '../../src-shared/profiles/profile-schema.ts'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import { ClusterRepository } from '../../src-main/clusters/cluster-repository.ts'
import { ClusterService } from '../../src-main/clusters/cluster-service.ts'
import { EventBus } from '../../src-main/core/event-bus.ts'
import { k3sWaitReadyStep } from '../../src-main/k3s/k3s-kubeconfig-step.ts'
import { k3sSteps } from '../../src-main/k3s/k3s-steps.ts'
import { LifecycleEngine } from '../../src-main/lifecycle/lifecycle-engine.ts'
import { RunRepository } from '../../src-main/lifecycle/run-repository.ts'
import type { StepExecutor, StepExecutors } from '../../src-main/lifecycle/step-executor.ts'
import { SealedSecrets } from '../../src-main/secrets/sealed-secrets.ts'
import { generateClusterKey } from '../../src-main/ssh/cluster-key.ts'
import { openDatabase, type Db } from '../../src-main/store/database.ts'
import { MemorySecretStore } from '../support/memory-secret-store.ts'
import {
  armbianSandbox,
  k3sServerToken,
  SandboxShells,
  type ArmbianSandbox,
} from '../support/sandbox-node-shells.ts'
import { makeTempDir } from '../support/temp-dir.ts'

const template = profileFromTemplate('k3s-rk1-armbian', { name: 'lab', board: 'rack-1' })
const profile: ClusterProfile = { ...template, timeouts: { bootSeconds: 20, readySeconds: 30 } }
const saved = {
  id: 'profile-k3s',
  name: 'lab',
  distribution: 'k3s' as const,
  profile,
  createdAt: '2026-12-01T00:00:00Z',
  updatedAt: '2026-12-01T00:00:00Z',
}
/** Where each virtual node's SSH answers, as its console would say. */
const sshOf = (index: number) => ({ sshAddress: `127.0.0.${11 + index}`, sshPort: 2222 })

let dir: ReturnType<typeof makeTempDir>
let db: Db
let runs: RunRepository
let clusters: ClusterService
let shells: SandboxShells
let nodes: Record<string, ArmbianSandbox>

beforeEach(() => {
  dir = makeTempDir('k3s-bootstrap-')
  db = openDatabase(dir.path)
  db.prepare(
    'INSERT INTO profiles (id, name, distribution, document, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(saved.id, saved.name, 'k3s', JSON.stringify(profile), saved.createdAt, saved.updatedAt)
  runs = new RunRepository(db)
  clusters = new ClusterService(
    new ClusterRepository(db),
    new SealedSecrets(dir.path, new MemorySecretStore()),
  )
  shells = new SandboxShells()
  nodes = Object.fromEntries(
    profile.nodes.map((node, index) => {
      const { sshAddress, sshPort } = sshOf(index)
      return [
        node.hostname,
        shells.add(sshAddress, sshPort, armbianSandbox('blank', 'https://127.0.0.1:41234')),
      ]
    }),
  )
})

afterEach(() => {
  Object.values(nodes).forEach((node) => node.remove())
  db.close()
  dir.remove()
})

function makeEngine(): LifecycleEngine {
  // The imaging, stood in for: every node booted with SSH where a virtual node's console says.
  const imaged: StepExecutor = {
    run: async ({ step }) => {
      const index = profile.nodes.findIndex((node) => node.hostname === step.node)
      return step.kind === 'node.wait-boot'
        ? { message: 'booted', output: sshOf(index) }
        : { message: `${step.kind} stood in for` }
    },
  }
  const k3s = k3sSteps({
    nodeShells: shells,
    boards: { get: async () => ({ address: 'https://127.0.0.1:8443' }) },
    sshEndpoints: {
      find: (profileName, hostname) => clusters.sshEndpoint(profileName, hostname),
      record: (p, node, endpoint) => clusters.recordSshEndpoint(null, p, node, endpoint),
    },
    generateKey: generateClusterKey,
    pollMs: 5,
  })
  // A node is Ready once its K3s unit is installed and enabled on it.
  const listNodeReadiness = async () =>
    profile.nodes.flatMap((node) => {
      const sandbox = nodes[node.hostname]!
      const unit = node.role === 'worker' ? 'k3s-agent' : 'k3s'
      return sandbox.read(`etc/hostname`) === `${node.hostname}\n` &&
        spawnSync('test', ['-e', `${sandbox.root}/state/enabled/${unit}`]).status === 0
        ? [{ name: node.hostname, ready: true, reason: '' }]
        : []
    })
  const executors: StepExecutors = {
    'image.prepare': imaged,
    'node.flash': imaged,
    'node.wait-boot': imaged,
    ...k3s,
    'cluster.wait-ready': k3sWaitReadyStep({ listNodeReadiness, pollMs: 5 }),
  }
  return new LifecycleEngine({
    runs,
    profiles: { get: () => saved },
    boardNames: async () => ['rack-1'],
    executors,
    events: new EventBus(),
    onRunSettled: (run, p, outputOf) => clusters.recordRun(run, p, outputOf),
    sealedSecrets: (run, p) => {
      const clusterId = () => clusters.forProfile(run.profileId, p).id
      return {
        seal: async (name, value) => void (await clusters.sealSecret(clusterId(), name, value)),
        open: async (name) => (await clusters.openSecret(clusterId(), name)).toString('utf8'),
      }
    },
  })
}

const openSealed = async (name: string) =>
  (await clusters.openSecret(clusters.get('lab').id, name)).toString('utf8')
const installs = (hostname: string) => nodes[hostname]!.calls().filter((c) => c.startsWith('install.sh'))

describe('K3s bootstrap over SSH', () => {
  it('takes first-boot nodes to a sealed kubeconfig and every node Ready', async () => {
    const engine = makeEngine()
    const { id } = await engine.deploy('lab', 'cluster-bootstrap')
    const run = await engine.settled(id)
    expect(run.steps.filter((s) => s.state === 'failed').map((s) => `${s.stepId}: ${s.message}`)).toEqual([])
    expect(run.state).toBe('done')
    expect(installs('turing-cp1')).toEqual(['install.sh server v1.36.4+k3s1'])
    for (const worker of ['turing-w1', 'turing-w2', 'turing-w3']) {
      expect(installs(worker)).toEqual(['install.sh agent v1.36.4+k3s1'])
      // The agents join the server where this run reached it, not at its profile address.
      expect(runs.log(id, stepIds.k3sJoin(worker))).toContain('K3S_URL=https://127.0.0.11:6443 ')
    }

    const kubeconfig = parse(await openSealed(sealedNames.kubeconfig))
    expect(kubeconfig).toMatchObject({
      'current-context': 'lab',
      clusters: [{ name: 'lab', cluster: { server: 'https://127.0.0.1:41234' } }],
    })
    expect(await openSealed(sealedNames.k3sToken)).toBe(k3sServerToken)
    // The record names the API the kubeconfig points at, and where each node answers SSH (for
    // commands outside runs).
    expect(clusters.get('lab').apiEndpoint).toBe('https://127.0.0.1:41234')
    expect(clusters.get('lab').nodes.map((n) => [n.hostname, n.sshAddress, n.sshPort])).toEqual(
      profile.nodes.map((node, index) => [node.hostname, sshOf(index).sshAddress, 2222]),
    )
    // Nothing secret in a log or an output.
    const rootPassword = await openSealed(sealedNames.rootPassword)
    for (const step of run.steps) {
      const text = `${runs.log(id, step.stepId)}${JSON.stringify(runs.output(id, step.stepId) ?? {})}`
      expect(text).not.toContain(k3sServerToken)
      expect(text).not.toContain(rootPassword)
    }
  })

  it('resumes a run killed while the agents join without installing the server again', async () => {
    let release: () => void = () => undefined
    const held = new Promise<void>((resolve) => (release = resolve))
    let joining = 0
    shells.beforeOpen = async (options) => {
      const worker = profile.nodes.find((n) => n.hostname === options.endpoint.hostname)?.role === 'worker'
      if (!worker || !clusters.list()[0]?.artifacts.some((a) => a.name === sealedNames.k3sToken)) return
      joining += 1
      await Promise.race([
        held,
        new Promise((_, reject) =>
          options.signal.addEventListener('abort', () => reject(new AppError('cancelled', 'killed')), {
            once: true,
          }),
        ),
      ])
    }
    const first = makeEngine()
    const { id } = await first.deploy('lab', 'cluster-bootstrap')
    for (let i = 0; i < 2000 && joining < 3; i++) await new Promise((resolve) => setTimeout(resolve, 5))
    expect(joining).toBe(3)
    expect(installs('turing-cp1')).toHaveLength(1)

    // The process dies here: the server's install is on the node, but not yet recorded as done.
    await first.stopAll()
    const server = stepIds.k3sServer('turing-cp1')
    runs.updateStep(id, server, { state: 'running', finishedAt: null, message: null })
    for (const worker of ['turing-w1', 'turing-w2', 'turing-w3'])
      runs.updateStep(id, stepIds.k3sJoin(worker), { state: 'running', finishedAt: null, message: null })
    runs.setRunState(id, 'running', null, null)
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid
    db.prepare('UPDATE lifecycle_runs SET owner_pid = ?, heartbeat_at = ? WHERE id = ?').run(
      deadPid,
      new Date(Date.now() - 60_000).toISOString(),
      id,
    )

    release()
    const second = makeEngine()
    expect(second.snapshot(id).state).toBe('interrupted')
    second.resume(id)
    const run = await second.settled(id)
    expect(run.state).toBe('done')
    expect(run.steps.find((s) => s.stepId === server)).toMatchObject({
      state: 'skipped',
      attempts: 2,
      message: 'already in place: turing-cp1 runs K3s v1.36.4+k3s1 as the first server (k3s)',
    })
    expect(installs('turing-cp1')).toHaveLength(1)
    for (const worker of ['turing-w1', 'turing-w2', 'turing-w3']) {
      expect(installs(worker)).toEqual(['install.sh agent v1.36.4+k3s1'])
      // The agents join the server where this run reached it, not at its profile address.
      expect(runs.log(id, stepIds.k3sJoin(worker))).toContain('K3S_URL=https://127.0.0.11:6443 ')
    }
  })
})
