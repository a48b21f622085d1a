// A cluster kept in view by informers (list, then watch): its nodes, pods, Services, Warning events
// and helm's release records. Every change calls onChange; the objects are handed out as plain
// facts, so nothing outside this folder sees client-node's types. helm 4 keeps each revision of a
// release in a Secret labelled owner=helm, name, status and version: only those labels are read,
// never the release payload the Secret carries.
import {
  CoreV1Api,
  ListWatch,
  Watch,
  type CoreV1Event,
  type KubernetesListObject,
  type KubernetesObject,
  type V1Node,
  type V1Pod,
  type V1Secret,
  type V1Service,
} from '@kubernetes/client-node'
import type { AppError } from '../../src-shared/contract/app-error.ts'
import type { HealthNode, HealthPod, HealthWarning } from '../../src-shared/clusters/health-schema.ts'
import { callKubeApi, kubeApiError } from './kube-call.ts'
import { loadKubeconfig } from './kubeconfig.ts'
import { nodeReadiness } from './kube-nodes.ts'

export interface PodFacts extends HealthPod {
  ready: boolean
}

export interface ServiceFacts {
  namespace: string
  name: string
  type: string
  /** The LoadBalancer's address, once it has one. */
  address: string | null
}

export interface ReleaseFacts {
  namespace: string
  name: string
  status: string
  revision: number
}

export interface ClusterFacts {
  nodes: HealthNode[]
  pods: PodFacts[]
  services: ServiceFacts[]
  /** The latest revision of each release. */
  releases: ReleaseFacts[]
  warnings: HealthWarning[]
}

export interface ClusterWatchOptions {
  kubeconfig: string
  onChange(): void
  /** A watch broke after the first listing (the API server went away): the watch has stopped. */
  onBroken(error: AppError): void
}

const listTimeoutMs = 15_000

export class ClusterWatch {
  readonly server: string
  private readonly informers: ListWatch<KubernetesObject>[] = []
  private readonly nodes: ListWatch<V1Node>
  private readonly pods: ListWatch<V1Pod>
  private readonly services: ListWatch<V1Service>
  private readonly events: ListWatch<CoreV1Event>
  private readonly releases: ListWatch<V1Secret>
  private started = false
  private firstFailure: AppError | undefined
  private readonly options: ClusterWatchOptions

  constructor(options: ClusterWatchOptions) {
    this.options = options
    const { kubeConfig, server } = loadKubeconfig(options.kubeconfig)
    this.server = server
    const core = kubeConfig.makeApiClient(CoreV1Api)
    const watch = new Watch(kubeConfig)
    const informer = <T extends KubernetesObject>(
      path: string,
      what: string,
      list: () => Promise<KubernetesListObject<T>>,
      selectors: { label?: string; field?: string } = {},
    ) => {
      const listed = () => callKubeApi({ server, what, timeoutMs: listTimeoutMs }, list)
      const lw = new ListWatch<T>(path, watch, listed, false, selectors.label, selectors.field)
      for (const verb of ['add', 'update', 'delete'] as const) lw.on(verb, () => this.changed())
      lw.on('error', (error) => this.failed(kubeApiError(error, server, what, listTimeoutMs)))
      this.informers.push(lw as unknown as ListWatch<KubernetesObject>)
      return lw
    }
    this.nodes = informer<V1Node>('/api/v1/nodes', 'list the nodes', () => core.listNode())
    this.pods = informer<V1Pod>('/api/v1/pods', 'list the pods', () => core.listPodForAllNamespaces())
    this.services = informer<V1Service>('/api/v1/services', 'list the services', () =>
      core.listServiceForAllNamespaces(),
    )
    this.events = informer<CoreV1Event>(
      '/api/v1/events',
      'list the warning events',
      () => core.listEventForAllNamespaces({ fieldSelector: 'type=Warning' }),
      { field: 'type=Warning' },
    )
    this.releases = informer<V1Secret>(
      '/api/v1/secrets',
      'list the helm releases',
      () => core.listSecretForAllNamespaces({ labelSelector: 'owner=helm' }),
      { label: 'owner=helm' },
    )
  }

  /** Lists everything once and starts watching; rejects with the first failure (nothing is left running). */
  async start(): Promise<void> {
    await Promise.all(this.informers.map((informer) => informer.start()))
    if (this.firstFailure) {
      await this.stop()
      throw this.firstFailure
    }
    this.started = true
  }

  async stop(): Promise<void> {
    this.started = false
    await Promise.all(this.informers.map((informer) => informer.stop()))
  }

  facts(): ClusterFacts {
    return {
      nodes: this.nodes.list().map(nodeFacts),
      pods: this.pods.list().map(podFacts),
      services: this.services.list().map(serviceFacts),
      releases: latestRevisions(this.releases.list()),
      warnings: this.events.list().map(warningFacts),
    }
  }

  private changed(): void {
    if (this.started) this.options.onChange()
  }

  private failed(error: AppError): void {
    if (!this.started) {
      this.firstFailure ??= error
      return
    }
    void this.stop().then(() => this.options.onBroken(error))
  }
}

function nodeFacts(node: V1Node): HealthNode {
  const { ready, reason } = nodeReadiness(node)
  const roles = Object.keys(node.metadata?.labels ?? {})
    .filter((label) => label.startsWith('node-role.kubernetes.io/'))
    .map((label) => label.slice('node-role.kubernetes.io/'.length))
  return {
    name: node.metadata?.name ?? '',
    ready,
    reason,
    roles: roles.length > 0 ? roles : ['worker'],
    kubeletVersion: node.status?.nodeInfo?.kubeletVersion ?? '',
    osImage: node.status?.nodeInfo?.osImage ?? '',
    addresses: (node.status?.addresses ?? []).map(({ type, address }) => ({ type, address })),
    cpu: node.status?.capacity?.cpu ?? '',
    memory: node.status?.capacity?.memory ?? '',
  }
}

function podFacts(pod: V1Pod): PodFacts {
  const statuses = pod.status?.containerStatuses ?? []
  const containers = statuses.map((status) => {
    const state = status.state
    const described = state?.waiting
      ? `waiting: ${state.waiting.reason ?? 'unknown'}`
      : state?.terminated
        ? `terminated: ${state.terminated.reason ?? `exit code ${state.terminated.exitCode}`}`
        : state?.running
          ? 'running'
          : 'unknown'
    return { name: status.name, ready: status.ready, state: described, restarts: status.restartCount }
  })
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')
  const waiting = statuses.find((status) => status.state?.waiting?.reason)?.state?.waiting?.reason
  const notScheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status !== 'True')
  return {
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    phase: pod.status?.phase ?? 'Unknown',
    ready: ready?.status === 'True' || pod.status?.phase === 'Succeeded',
    reason:
      waiting ??
      notScheduled?.reason ??
      pod.status?.reason ??
      ready?.reason ??
      (pod.status?.phase === 'Pending' ? 'Pending' : 'not Ready'),
    containers,
  }
}

function serviceFacts(service: V1Service): ServiceFacts {
  const ingress = service.status?.loadBalancer?.ingress?.[0]
  return {
    namespace: service.metadata?.namespace ?? '',
    name: service.metadata?.name ?? '',
    type: service.spec?.type ?? 'ClusterIP',
    address: ingress?.ip ?? ingress?.hostname ?? null,
  }
}

function warningFacts(event: CoreV1Event): HealthWarning {
  const seen = event.lastTimestamp ?? event.eventTime ?? event.metadata?.creationTimestamp
  return {
    namespace: event.metadata?.namespace ?? '',
    object: `${event.involvedObject.kind ?? ''}/${event.involvedObject.name ?? ''}`,
    reason: event.reason ?? '',
    message: event.message ?? '',
    count: event.count ?? 1,
    lastSeen: seen ? new Date(seen).toISOString() : '',
  }
}

/** Each release's newest revision, from the labels helm puts on its Secrets. */
function latestRevisions(secrets: readonly V1Secret[]): ReleaseFacts[] {
  const latest = new Map<string, ReleaseFacts>()
  for (const secret of secrets) {
    const labels = secret.metadata?.labels ?? {}
    const revision = Number(labels.version)
    if (!labels.name || !labels.status || !Number.isInteger(revision)) continue
    const release = {
      namespace: secret.metadata?.namespace ?? '',
      name: labels.name,
      status: labels.status,
      revision,
    }
    const key = `${release.namespace}/${release.name}`
    if ((latest.get(key)?.revision ?? -1) < revision) latest.set(key, release)
  }
  return [...latest.values()]
}
