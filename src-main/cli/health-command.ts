// `clusterdeck cluster health PROFILE [--json]`: the cluster view's health once, as tables or as
// the snapshot's JSON. Exit code 0 only when every node is Ready and every add-on ready (healthy),
// 1 when the cluster answers but is not, 3 when it cannot be reached (docs/cluster-health.md).
import type { Command } from 'commander'
import type { ClusterHealth } from '../../src-shared/clusters/health-schema.ts'
import { CliExit, formatTable } from './cli-io.ts'
import type { CliContext } from './main.ts'

export const healthExitCodes = { healthy: 0, degraded: 1, unreachable: 3 } as const

export function registerHealthCommand(cluster: Command, cli: CliContext): void {
  cluster
    .command('health')
    .description(
      'nodes, add-ons, pods that are not Ready and recent warnings; exit code 0 healthy, 1 degraded, 3 unreachable',
    )
    .argument('<profile>', 'the cluster’s profile name')
    .option('--json', 'print the health snapshot as JSON')
    .action(async (ref: string, options: { json?: boolean }) => {
      const health = await cli.call('clusters.health', { ref })
      cli.io.stdout.write(
        options.json ? `${JSON.stringify(health, null, 2)}\n` : `${describeHealth(health)}\n`,
      )
      const code = healthExitCodes[health.state]
      if (code !== 0) throw new CliExit(code)
    })
}

export function describeHealth(health: ClusterHealth): string {
  const verdict = `${health.cluster}: ${health.state}${health.server ? ` (${health.server})` : ''}`
  if (health.unreachable) {
    const { message, hint } = health.unreachable
    return [verdict, message, ...(hint ? [`hint: ${hint}`] : [])].join('\n')
  }
  const sections = [
    [verdict, ...health.reasons.map((reason) => `  - ${reason}`)].join('\n'),
    formatTable([
      ['NODE', 'READY', 'ROLES', 'KUBELET', 'OS', 'ADDRESS', 'CPU', 'MEMORY'],
      ...health.nodes.map((node) => [
        node.name,
        node.ready ? 'Ready' : `NotReady: ${node.reason}`,
        node.roles.join(','),
        node.kubeletVersion,
        node.osImage,
        node.addresses.find((a) => a.type === 'InternalIP')?.address ?? node.addresses[0]?.address ?? '',
        node.cpu,
        node.memory,
      ]),
    ]),
  ]
  if (health.addons.length > 0) {
    sections.push(
      formatTable([
        ['ADD-ON', 'READY', 'RELEASE', 'CHART', 'PODS', 'URL'],
        ...health.addons.map((addon) => [
          addon.title,
          addon.ready ? 'yes' : 'no',
          `${addon.namespace}/${addon.release} ${addon.releaseStatus ?? 'not installed'}`,
          addon.chart ?? 'unknown',
          `${addon.podsReady}/${addon.podsTotal}`,
          addon.url ??
            (addon.portForward ? `${addon.portForward.command}, then ${addon.portForward.localUrl}` : ''),
        ]),
      ]),
    )
  }
  if (health.notReadyPods.length > 0) {
    sections.push(
      formatTable([
        ['POD NOT READY', 'PHASE', 'REASON'],
        ...health.notReadyPods.map((pod) => [`${pod.namespace}/${pod.name}`, pod.phase, pod.reason]),
      ]),
    )
  }
  if (health.warnings.length > 0) {
    sections.push(
      formatTable([
        ['WARNING', 'OBJECT', 'MESSAGE'],
        ...health.warnings.map((w) => [w.reason, `${w.namespace}/${w.object}`, w.message]),
      ]),
    )
  }
  return sections.join('\n\n')
}
