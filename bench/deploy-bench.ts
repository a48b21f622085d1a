// npm run bench:deploy — the whole deploy of the talos-rk1-longhorn template (image, four flashes at
// a fixed simulated eMMC speed, boots, the Talos bootstrap with the real talosctl, every add-on with
// the real helm from the stand-in charts, the last readiness step) by the lifecycle engine on the
// virtual board backed by a loopback cluster, against (a) the run's critical path, from its own step
// timings (target ≤ 1.05), and (b) the seed's way of doing the same steps, modelled from those
// timings (docs/benchmarks.md). Needs the peers (npm run peers).
import { join } from 'node:path'
import { createAppCore, type AppCore } from '../src-main/core/app-core.ts'
import { loopbackBackends } from '../src-main/virtual-talos/loopback-backends.ts'
import { startVirtualBoard } from '../src-main/virtual-board/virtual-board-server.ts'
import { addonCatalogue } from '../src-shared/addons/addon-catalogue.ts'
import type { RequestInput, RequestName, RequestOutput } from '../src-shared/contract/index.ts'
import { phaseTitles, type PhaseId } from '../src-shared/lifecycle/plan.ts'
import type { Run } from '../src-shared/lifecycle/run-schema.ts'
import { profileFromTemplate } from '../src-shared/profiles/profile-templates.ts'
import { serveChartRepository } from '../tests/support/chart-repository.ts'
import { clusterPeers, startLoopbackCluster } from '../tests/support/loopback-cluster.ts'
import { MemorySecretStore } from '../tests/support/memory-secret-store.ts'
import { findPeers } from '../tests/support/peers.ts'
import { removeAddons } from '../tests/support/remove-addons.ts'
import { makeTempDir } from '../tests/support/temp-dir.ts'
import { median, rawImage } from './bench-support.ts'
import { criticalPath, stepSeconds } from './critical-path.ts'

const runs = Number(process.env.BENCH_RUNS ?? 1)
const mib = Number(process.env.BENCH_IMAGE_MIB ?? 64)
const writeMBps = 20
/** The seed's fixed waits (seed 000): a flash looked at every 30 s, 120 s for a node to boot. */
const seedFlashPollSeconds = 30
const seedBootWaitSeconds = 120

const peers = findPeers([...clusterPeers, 'helm', 'talosctl'])
if (!peers.ok) {
  console.log(`bench:deploy skipped: ${peers.reason}`)
  process.exit(0)
}

async function call<N extends RequestName>(
  core: AppCore,
  name: N,
  input: RequestInput<N>,
): Promise<RequestOutput<N>> {
  const result = await core.dispatch(name, input)
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`)
  return result.value as RequestOutput<N>
}

interface Figures {
  wall: number
  critical: number
  seed: number
  pieces: string
}

function figuresOf(run: Run): Figures {
  const seconds = stepSeconds(run)
  const wall = (Date.parse(run.finishedAt!) - Date.parse(run.createdAt)) / 1000
  const path = criticalPath(run)
  const critical = path.reduce((sum, timed) => sum + timed.seconds, 0)
  const onPath = (phase: PhaseId) =>
    path.filter((timed) => timed.step.phase === phase).reduce((sum, timed) => sum + timed.seconds, 0)
  const all = (kind: string) =>
    run.plan.steps.filter((step) => step.kind === kind).map((step) => seconds.get(step.id) ?? 0)
  // The seed's way: each flash known done only at its next 30 s poll, one after another; one fixed
  // boot wait after the last; the same bootstrap; every add-on after the one before it.
  const seed =
    onPath('image-preparation') +
    all('node.flash').reduce(
      (sum, s) => sum + Math.ceil(s / seedFlashPollSeconds) * seedFlashPollSeconds,
      0,
    ) +
    seedBootWaitSeconds +
    onPath('cluster-bootstrap') +
    all('addon.install').reduce((sum, s) => sum + s, 0) +
    onPath('ready')
  const pieces = (
    ['image-preparation', 'node-imaging', 'cluster-bootstrap', 'addon-deployment', 'ready'] as const
  )
    .map((phase) => `${phaseTitles[phase]} ${onPath(phase).toFixed(1)} s`)
    .join(', ')
  return { wall, critical, seed, pieces }
}

const cluster = await startLoopbackCluster({
  binaries: peers.binaries,
  kubernetesVersion: peers.kubernetesVersion,
  nodes: 2,
})
const repository = await serveChartRepository(
  peers.binaries.helm,
  addonCatalogue.map((addon) => addon.chart.name),
)
const board = await startVirtualBoard({
  firmware: '2.1',
  writeSpeedBytesPerSecond: writeMBps * 1e6,
  verifySpeedBytesPerSecond: 2 * writeMBps * 1e6,
  bootDelayMs: 100,
  talosBackends: await loopbackBackends({ kubeconfigPath: cluster.kubeconfigPath }),
})
const dir = makeTempDir()
process.env.CLUSTERDECK_CHART_REPOSITORY = repository.url
// The user's defaults: no shortened polls.
const core = createAppCore({
  dataDir: join(dir.path, 'data'),
  secrets: new MemorySecretStore(),
  transport: 'cli',
})
try {
  await call(core, 'boards.add', {
    name: 'bench',
    address: board.url,
    user: 'root',
    password: board.credentials.password,
    certificateSha256: board.fingerprint256,
  })
  await call(core, 'tools.setPath', { tool: 'talosctl', path: peers.binaries.talosctl })
  await call(core, 'tools.setPath', { tool: 'helm', path: peers.binaries.helm })
  // Named like a Talos image: the virtual nodes then boot as Talos nodes.
  const image = await call(core, 'images.importFile', { path: await rawImage(mib, 'talos-v1.12.0-arm64') })
  const profile = profileFromTemplate('talos-rk1-longhorn', { name: 'bench', board: 'bench' })
  profile.versions.talos = 'v1.12.0'
  profile.image = { cached: image.sha256 }
  profile.timeouts.bootSeconds = 60
  await call(core, 'profiles.save', { profile })

  // Each step as it ends, so a slow or stuck deploy shows where it is.
  const printed = new Set<string>()
  core.events.on('lifecycle.run', (run) => {
    for (const step of run.steps) {
      const key = `${run.id}:${step.stepId}:${step.attempts}`
      if (!step.finishedAt || printed.has(key)) continue
      printed.add(key)
      console.error(`  ${step.state} ${step.stepId}: ${step.message ?? ''}`.slice(0, 160))
    }
  })
  console.error('bench:deploy: cluster, chart repository and board are up; deploying')
  const all: Figures[] = []
  for (let i = 0; i < runs; i++) {
    if (i > 0) await removeAddons(peers.binaries.helm, cluster.kubeconfigPath, join(dir.path, 'helm'))
    const started = await call(core, 'lifecycle.deploy', { profile: 'bench' })
    const run = await core.lifecycle.settled(started.id)
    if (run.state !== 'done') {
      const failed = run.steps
        .filter((step) => step.state === 'failed')
        .map((step) => `${step.stepId}: ${step.message}`)
      throw new Error(`run ${run.state}:\n${failed.join('\n')}`)
    }
    const figures = figuresOf(run)
    all.push(figures)
    console.log(
      `run ${i + 1}: deploy ${figures.wall.toFixed(2)} s; critical path ${figures.critical.toFixed(2)} s (${figures.pieces}); seed model ${figures.seed.toFixed(1)} s`,
    )
    console.log(
      `  path: ${criticalPath(run)
        .map((timed) => `${timed.step.id} ${timed.seconds.toFixed(1)}`)
        .join(' → ')}`,
    )
  }
  const wall = median(all.map((f) => f.wall))
  const critical = median(all.map((f) => f.critical))
  const seed = median(all.map((f) => f.seed))
  console.log(
    `\nfull deploy, 4 nodes × ${mib} MiB at ${writeMBps} MB/s (verify on), 6 add-ons: ${wall.toFixed(2)} s\n` +
      `  (a) critical path ${critical.toFixed(2)} s: ratio ${(wall / critical).toFixed(3)} (target ≤ 1.05)\n` +
      `  (b) seed's way ${seed.toFixed(1)} s: ratio ${(wall / seed).toFixed(3)}`,
  )
} finally {
  await core.close()
  await board.close()
  await removeAddons(peers.binaries.helm, cluster.kubeconfigPath, join(dir.path, 'helm')).catch(
    () => undefined,
  )
  await repository.close()
  await cluster.stop()
  dir.remove()
}
