// A K3s cluster deployed quickly for the peers tests of what comes after a deploy: virtual Armbian
// nodes flashed and booted on a virtual board standing on the loopback cluster, then the real
// engine with the real K3s bootstrap steps (over the app's node shells) and the day-2 executors,
// a real SQLite file and sealed secrets. The imaging steps are stood in for (the nodes were
// flashed and booted before); host names are unique per run, since the loopback cluster is shared.
import { randomBytes } from 'node:crypto'
import { BmcService } from '../../../src-main/bmc/bmc-service.ts'
import { ClusterRepository } from '../../../src-main/clusters/cluster-repository.ts'
import { ClusterService } from '../../../src-main/clusters/cluster-service.ts'
import { EventBus } from '../../../src-main/core/event-bus.ts'
import { etcdSnapshotStep, saveBackupStep } from '../../../src-main/day2/etcd-snapshot-step.ts'
import { clusterForgetStep } from '../../../src-main/day2/cluster-forget-step.ts'
import type { Day2Dependencies } from '../../../src-main/day2/day2-support.ts'
import { k3sResetStep, k3sUpgradeStep } from '../../../src-main/day2/k3s-day2.ts'
import { nodePowerOffStep } from '../../../src-main/day2/node-power-off-step.ts'
import { checkDay2Start } from '../../../src-main/day2/upgrade-checks.ts'
import { removeBackups } from '../../../src-main/day2/backup-store.ts'
import { k3sWaitReadyStep } from '../../../src-main/k3s/k3s-kubeconfig-step.ts'
import type { K3sStepDependencies } from '../../../src-main/k3s/k3s-step-support.ts'
import { k3sSteps } from '../../../src-main/k3s/k3s-steps.ts'
import { listNodeReadiness } from '../../../src-main/kube/kube-nodes.ts'
import { LifecycleEngine } from '../../../src-main/lifecycle/lifecycle-engine.ts'
import { RunRepository } from '../../../src-main/lifecycle/run-repository.ts'
import type { StepExecutor, StepExecutors } from '../../../src-main/lifecycle/step-executor.ts'
import { SealedSecrets } from '../../../src-main/secrets/sealed-secrets.ts'
import { generateClusterKey } from '../../../src-main/ssh/cluster-key.ts'
import { openDatabase, type Db } from '../../../src-main/store/database.ts'
import type { VirtualBoard } from '../../../src-main/virtual-board/virtual-board-server.ts'
import { loopbackBackends } from '../../../src-main/virtual-talos/loopback-backends.ts'
import type { ClusterProfile } from '../../../src-shared/profiles/profile-schema.ts'
import { profileFromTemplate } from '../../../src-shared/profiles/profile-templates.ts'
import { login } from '../../integration/virtual-board-helpers.ts'
import { MemorySecretStore } from '../../support/memory-secret-store.ts'
import { makeTempDir } from '../../support/temp-dir.ts'
import {
  flashArmbian,
  memoryHostKeys,
  memoryNodeShells,
  powerOnArmbian,
} from '../../support/virtual-armbian.ts'
import { clientFor, startBoard } from '../../support/virtual-bmc.ts'

export interface K3sTestCluster {
  board: VirtualBoard
  profile: ClusterProfile
  engine: LifecycleEngine
  clusters: ClusterService
  bmc: BmcService
  runs: RunRepository
  dataDir: string
  /** Where each node's SSH answers, in profile order. */
  endpoints: { host: string; port: number }[]
  /** Powers every node on again (after a destroy), keeping what its eMMC holds. */
  powerOn(): Promise<void>
  close(): Promise<void>
}

/**
 * Deploys the k3s-rk1-armbian template, cut to `roles` (e.g. two servers and an agent), through
 * its Cluster bootstrap phase; the cluster is Ready in the loopback cluster when this returns.
 */
export async function deployK3sCluster(options: {
  kubeconfigPath: string
  etcdEndpoint?: string
  roles: ('control-plane' | 'worker')[]
}): Promise<K3sTestCluster> {
  const suffix = randomBytes(3).toString('hex')
  const board = await startBoard({
    firmware: '2.1',
    talosBackends: await loopbackBackends({
      kubeconfigPath: options.kubeconfigPath,
      ...(options.etcdEndpoint ? { etcdEndpoint: options.etcdEndpoint } : {}),
    }),
  })
  const token = await login(board)
  const endpoints: { host: string; port: number }[] = []
  for (const index of options.roles.keys()) {
    await flashArmbian(board, token, index)
    endpoints.push(await powerOnArmbian(board, token, index))
  }
  const base = profileFromTemplate('k3s-rk1-armbian', { name: 'lab', board: 'tp1' })
  const profile: ClusterProfile = {
    ...base,
    timeouts: { bootSeconds: 60, readySeconds: 60 },
    // The virtual nodes answer on their loopback addresses (127.0.0.N).
    network: {
      ...base.network,
      nodeCidr: '127.0.0.0/24',
      gateway: '127.0.0.1',
      dns: ['127.0.0.1'],
      apiEndpoint: endpoints[0]!.host,
      metallbRange: '127.0.0.200-127.0.0.209',
    },
    nodes: options.roles.map((role, i) => ({
      ...base.nodes[i]!,
      role,
      hostname: `${role === 'worker' ? 'k3s-w' : 'k3s-cp'}${i + 1}-${suffix}`,
      address: endpoints[i]!.host,
    })),
  }

  const dir = makeTempDir('k3s-day2-')
  const db: Db = openDatabase(dir.path)
  const now = new Date().toISOString()
  db.prepare(
    'INSERT INTO profiles (id, name, distribution, document, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
  ).run('profile-k3s', 'lab', 'k3s', JSON.stringify(profile), now, now)
  const saved = {
    id: 'profile-k3s',
    name: 'lab',
    distribution: 'k3s' as const,
    profile,
    createdAt: now,
    updatedAt: now,
  }
  const runs = new RunRepository(db)
  const clusters = new ClusterService(
    new ClusterRepository(db),
    new SealedSecrets(dir.path, new MemorySecretStore()),
  )
  const boardRecord = { id: 'board-tp1', name: 'tp1', address: board.url }
  const k3s: K3sStepDependencies = {
    nodeShells: memoryNodeShells(memoryHostKeys()),
    boards: { get: async () => boardRecord },
    sshEndpoints: {
      find: (profileName, hostname) => clusters.sshEndpoint(profileName, hostname),
      record: (p, node, endpoint) => clusters.recordSshEndpoint(null, p, node, endpoint),
    },
    generateKey: generateClusterKey,
    pollMs: 200,
  }
  const bmc = new BmcService({ client: async () => clientFor(board) })
  const day2 = {
    boards: { get: async () => boardRecord },
    bmc,
    dataDir: dir.path,
    clusterRecord: (profileName: string) => clusters.find(profileName),
    forgetSecrets: async (clusterId: string) => {
      await clusters.forgetSecrets(clusterId)
      await removeBackups(dir.path, clusterId)
    },
    k3s,
    pollMs: 200,
  } as unknown as Day2Dependencies
  // The imaging, stood in for: every node was flashed and booted above.
  const imaged: StepExecutor = {
    run: async ({ step }) => {
      const index = profile.nodes.findIndex((node) => node.hostname === step.node)
      return step.kind === 'node.wait-boot'
        ? {
            message: 'booted',
            output: { sshAddress: endpoints[index]!.host, sshPort: endpoints[index]!.port },
          }
        : { message: `${step.kind} stood in for` }
    },
  }
  const executors: StepExecutors = {
    'image.prepare': imaged,
    'node.flash': imaged,
    'node.wait-boot': imaged,
    ...k3sSteps(k3s),
    'cluster.wait-ready': k3sWaitReadyStep({ listNodeReadiness, pollMs: 200 }),
    'cluster.etcd-snapshot': etcdSnapshotStep(day2),
    'cluster.save-backup': saveBackupStep(day2),
    'node.upgrade-os': k3sUpgradeStep(day2),
    'node.reset': k3sResetStep(day2),
    'node.power-off': nodePowerOffStep(day2),
    'cluster.forget': clusterForgetStep(day2),
  }
  const engine = new LifecycleEngine({
    runs,
    profiles: { get: () => saved },
    boardNames: async () => ['tp1'],
    executors,
    events: new EventBus(),
    checkStart: (p, plan) => checkDay2Start(clusters.find(p.name), p, plan),
    onRunSettled: (run, p, outputOf) => clusters.recordRun(run, p, outputOf),
    sealedSecrets: (run, p) => {
      const clusterId = () => clusters.forProfile(run.profileId, p).id
      return {
        seal: async (name, value) => void (await clusters.sealSecret(clusterId(), name, value)),
        open: async (name) => (await clusters.openSecret(clusterId(), name)).toString('utf8'),
      }
    },
  })
  const { id } = await engine.deploy('lab', 'cluster-bootstrap')
  const run = await engine.settled(id)
  if (run.state !== 'done')
    throw new Error(
      `the K3s deploy ended ${run.state}: ${run.steps
        .filter((s) => s.state === 'failed')
        .map((s) => `${s.stepId}: ${s.message}`)
        .join('; ')}`,
    )
  return {
    board,
    profile,
    engine,
    clusters,
    bmc,
    runs,
    dataDir: dir.path,
    endpoints,
    async powerOn() {
      for (const index of endpoints.keys()) endpoints[index] = await powerOnArmbian(board, token, index)
    },
    async close() {
      await engine.stopAll()
      await board.close()
      db.close()
      dir.remove()
    },
  }
}
