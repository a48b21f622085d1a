// `npm run virtual-cluster [-- COMMAND ...]`: the peers tests' loopback Kubernetes (kwokctl's etcd,
// kube-apiserver and kwok, built by `npm run peers`: docs/test-peers.md) for trying a whole deploy
// by hand. It prints the two variables that put it behind the virtual board's Talos control planes
// (docs/virtual-board.md), and CLUSTERDECK_CHART_REPOSITORY naming the project's stand-in charts
// served on loopback (unless it is set already), and, given a command, runs it with them set — e.g.
// `npm run virtual-cluster -- npm start`. Ctrl-C (or the command's end) tears the cluster down.
import { spawn } from 'node:child_process'
import { addonCatalogue } from '../src-shared/addons/addon-catalogue.ts'
import { serveChartRepository } from '../tests/support/chart-repository.ts'
import { clusterPeers, startLoopbackCluster } from '../tests/support/loopback-cluster.ts'
import { findPeers } from '../tests/support/peers.ts'

const peers = findPeers([...clusterPeers, 'helm'])
if (!peers.ok) {
  console.error(`virtual-cluster: ${peers.reason}`)
  process.exit(2)
}
console.error(`virtual-cluster: starting Kubernetes ${peers.kubernetesVersion} on loopback (about a minute)…`)
// No simulated nodes of its own: the virtual Talos nodes join it under their host names.
const cluster = await startLoopbackCluster({
  binaries: peers.binaries,
  kubernetesVersion: peers.kubernetesVersion,
  nodes: 0,
})
// The add-ons' stand-in charts (tests/fixtures/charts) on loopback, unless a repository is set.
const charts = process.env.CLUSTERDECK_CHART_REPOSITORY
  ? undefined
  : await serveChartRepository(
      peers.binaries.helm,
      addonCatalogue.map((addon) => addon.chart.name),
    )
const env = {
  CLUSTERDECK_VIRTUAL_KUBECONFIG: cluster.kubeconfigPath,
  CLUSTERDECK_VIRTUAL_ETCD: cluster.etcdEndpoint,
  ...(charts ? { CLUSTERDECK_CHART_REPOSITORY: charts.url } : {}),
}
for (const [name, value] of Object.entries(env)) console.log(`export ${name}=${value}`)

let stopping = false
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true
    console.error('virtual-cluster: stopping the loopback cluster…')
    await charts?.close()
    await cluster.stop()
  }
  process.exit(code)
}
const [command, ...args] = process.argv.slice(2)
const child = command
  ? spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...env } })
  : undefined
child?.on('exit', (code, signal) => void stop(code ?? (signal ? 1 : 0)))
process.on('SIGINT', () => void stop(130))
// Ctrl-C reaches the command with this process's group; a SIGTERM sent to this process alone is
// passed on, so the command is not left running without its cluster.
process.on('SIGTERM', () => void (child?.kill('SIGTERM'), stop(143)))
if (!child) {
  console.error('virtual-cluster: running; start Clusterdeck with the variables above, Ctrl-C to stop.')
}
