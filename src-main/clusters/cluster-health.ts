// The cluster's health from what its informers hold: each enabled add-on judged by its release,
// the catalogue's readiness checks and the pods in its namespace; one verdict with its reasons.
// Pure: the watch (kube/cluster-watch.ts) and the service (cluster-health-service.ts) feed it.
// Pods outside the add-ons are listed when not Ready but do not change the verdict: the verdict is
// what `clusterdeck cluster health` exits on, every node Ready and every add-on ready
// (docs/cluster-health.md).
import type { AddonEntry } from '../../src-shared/addons/addon-catalogue.ts'
import type { AppErrorData } from '../../src-shared/contract/app-error.ts'
import type { ClusterHealth, HealthAddon, HealthState } from '../../src-shared/clusters/health-schema.ts'
import type { ClusterFacts, ServiceFacts } from '../kube/cluster-watch.ts'

export interface CheckOutcome {
  ready: boolean
  detail: string
}

export interface AddonObservation {
  entry: AddonEntry
  checks: CheckOutcome[]
  /** The chart helm reports for the release (metallb-0.16.1), or null when unknown. */
  chart: string | null
}

/** The warnings shown: the newest first, at most this many. */
export const recentWarnings = 20

export function addonHealth({ entry, checks, chart }: AddonObservation, facts: ClusterFacts): HealthAddon {
  const release = facts.releases.find((r) => r.name === entry.release && r.namespace === entry.namespace)
  const pods = facts.pods.filter((pod) => pod.namespace === entry.namespace)
  const podsReady = pods.filter((pod) => pod.ready).length
  return {
    key: entry.key,
    title: entry.title,
    release: entry.release,
    namespace: entry.namespace,
    releaseStatus: release?.status ?? null,
    revision: release?.revision ?? null,
    chart,
    pinnedVersion: entry.chart.version,
    checks,
    podsReady,
    podsTotal: pods.length,
    ...webUi(entry, facts.services),
    ready:
      release?.status === 'deployed' && checks.every((check) => check.ready) && podsReady === pods.length,
  }
}

/** The UI's address from its LoadBalancer; without one, the port-forward that reaches it. */
function webUi(entry: AddonEntry, services: ServiceFacts[]): Pick<HealthAddon, 'url' | 'portForward'> {
  if (!entry.ui) return { url: null, portForward: null }
  const { service, port, scheme } = entry.ui
  const found = services.find((s) => s.namespace === entry.namespace && s.name === service)
  if (found?.type === 'LoadBalancer' && found.address) {
    const defaultPort = (scheme === 'http' && port === 80) || (scheme === 'https' && port === 443)
    return { url: `${scheme}://${found.address}${defaultPort ? '' : `:${port}`}`, portForward: null }
  }
  // Ports below 1024 need root locally: 80 is forwarded from 8080.
  const local = port < 1024 ? 8000 + port : port
  return {
    url: null,
    portForward: {
      command: `kubectl --namespace ${entry.namespace} port-forward service/${service} ${local}:${port}`,
      localUrl: `${scheme}://localhost:${local}`,
    },
  }
}

export function healthVerdict(
  nodes: ClusterHealth['nodes'],
  addons: HealthAddon[],
): { state: HealthState; reasons: string[] } {
  const reasons: string[] = []
  if (nodes.length === 0) reasons.push('The cluster has no nodes.')
  for (const node of nodes.filter((n) => !n.ready))
    reasons.push(`Node ${node.name} is not Ready: ${node.reason}.`)
  for (const addon of addons.filter((a) => !a.ready))
    reasons.push(`${addon.title} is not ready: ${whyNot(addon)}.`)
  return { state: reasons.length === 0 ? 'healthy' : 'degraded', reasons }
}

function whyNot(addon: HealthAddon): string {
  if (addon.releaseStatus === null) return `release ${addon.release} is not installed in ${addon.namespace}`
  if (addon.releaseStatus !== 'deployed') return `release ${addon.release} is ${addon.releaseStatus}`
  const failing = addon.checks.filter((check) => !check.ready).map((check) => check.detail)
  if (failing.length > 0) return failing.join('; ')
  return `${addon.podsReady}/${addon.podsTotal} pods Ready`
}

export function summariseHealth(input: {
  cluster: string
  server: string
  facts: ClusterFacts
  addons: AddonObservation[]
  now: Date
}): ClusterHealth {
  const { facts } = input
  const nodes = [...facts.nodes].sort((a, b) => a.name.localeCompare(b.name))
  const addons = input.addons.map((observation) => addonHealth(observation, facts))
  return {
    cluster: input.cluster,
    server: input.server,
    ...healthVerdict(nodes, addons),
    unreachable: null,
    nodes,
    notReadyPods: facts.pods
      .filter((pod) => !pod.ready)
      .map(({ ready: _ready, ...pod }) => pod)
      .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`)),
    addons,
    warnings: [...facts.warnings]
      .sort((a, b) => b.lastSeen.localeCompare(a.lastSeen))
      .slice(0, recentWarnings),
    checkedAt: input.now.toISOString(),
  }
}

/** A cluster that cannot be reached: what was tried and why it failed, nothing else guessed. */
export function unreachableHealth(
  cluster: string,
  server: string | null,
  error: Pick<AppErrorData, 'message' | 'hint'>,
  now: Date,
): ClusterHealth {
  return {
    cluster,
    server,
    state: 'unreachable',
    reasons: [error.message],
    unreachable: { message: error.message, ...(error.hint ? { hint: error.hint } : {}) },
    nodes: [],
    notReadyPods: [],
    addons: [],
    warnings: [],
    checkedAt: now.toISOString(),
  }
}
