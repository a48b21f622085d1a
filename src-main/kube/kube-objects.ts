// The Kubernetes API calls the add-on steps make, over @kubernetes/client-node (confined to this
// folder): namespaces labelled for Pod Security, server-side apply of the custom resources an
// add-on needs after its chart (MetalLB's pool, cert-manager's issuer), and the readiness of what
// the add-on catalogue names (src-shared/addons/addon-catalogue.ts).
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  StorageV1Api,
  type KubernetesObject,
} from '@kubernetes/client-node'
import type { ReadinessCheck } from '../../src-shared/addons/addon-catalogue.ts'

/** Whether one check holds, and what was seen (for the step log and the error when it never does). */
export interface CheckResult {
  ready: boolean
  detail: string
  /** The address a LoadBalancer Service got. */
  address?: string
}

const fieldManager = 'clusterdeck'

/** An object to apply, as the API server takes it. */
export interface KubeResource {
  apiVersion: string
  kind: string
  metadata: { name: string; namespace?: string; labels?: Record<string, string> }
  spec?: Record<string, unknown>
}

interface Condition {
  type?: string
  status?: string
  message?: string
}

/** The HTTP status of a failed API call, or undefined for a network error. */
export function apiStatus(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code
  return typeof code === 'number' ? code : undefined
}

/** An API error in one line: the Status message the server sent, else the error's own. */
export function apiErrorText(error: unknown): string {
  const body = (error as { body?: unknown }).body
  if (typeof body === 'string') {
    try {
      const status = JSON.parse(body) as { message?: string }
      if (status.message) return status.message
    } catch {
      // Not a Status object: fall back to the message.
    }
  }
  return (error as Error).message?.split('\n')[0] ?? String(error)
}

export class KubeObjects {
  private readonly core: CoreV1Api
  private readonly apps: AppsV1Api
  private readonly discovery: DiscoveryV1Api
  private readonly custom: CustomObjectsApi
  private readonly storage: StorageV1Api
  private readonly objects: KubernetesObjectApi

  /** `kubeconfig` is the file's text (the cluster's sealed kubeconfig, never written here). */
  constructor(kubeconfig: string) {
    const config = new KubeConfig()
    config.loadFromString(kubeconfig)
    this.core = config.makeApiClient(CoreV1Api)
    this.apps = config.makeApiClient(AppsV1Api)
    this.discovery = config.makeApiClient(DiscoveryV1Api)
    this.custom = config.makeApiClient(CustomObjectsApi)
    this.storage = config.makeApiClient(StorageV1Api)
    this.objects = KubernetesObjectApi.makeApiClient(config)
  }

  /** Creates the namespace, or adds the labels to the one there (other labels stay). */
  async ensureNamespace(name: string, labels: Record<string, string>): Promise<void> {
    await this.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } })
  }

  /** Server-side apply: creates the object or brings the fields Clusterdeck owns to this state. */
  async apply(object: KubeResource): Promise<void> {
    await this.objects.patch(
      object as KubernetesObject,
      undefined,
      undefined,
      fieldManager,
      true,
      PatchStrategy.ServerSideApply,
    )
  }

  async check(check: ReadinessCheck, namespace: string): Promise<CheckResult> {
    try {
      return await this.checkOnce(check, namespace)
    } catch (error) {
      const what = describeCheck(check)
      if (apiStatus(error) === 404) return { ready: false, detail: `${what}: not there yet` }
      return { ready: false, detail: `${what}: ${apiErrorText(error)}` }
    }
  }

  private async checkOnce(check: ReadinessCheck, namespace: string): Promise<CheckResult> {
    const what = describeCheck(check)
    switch (check.kind) {
      case 'deployment': {
        const { spec, status } = await this.apps.readNamespacedDeployment({ name: check.name, namespace })
        const wanted = spec?.replicas ?? 1
        const available = status?.availableReplicas ?? 0
        return { ready: available >= wanted, detail: `${what}: ${available}/${wanted} available` }
      }
      case 'daemonset': {
        const { status } = await this.apps.readNamespacedDaemonSet({ name: check.name, namespace })
        const wanted = status?.desiredNumberScheduled ?? 0
        const ready = status?.numberReady ?? 0
        return { ready: wanted > 0 && ready >= wanted, detail: `${what}: ${ready}/${wanted} ready` }
      }
      case 'webhook': {
        const slices = await this.discovery.listNamespacedEndpointSlice({
          namespace,
          labelSelector: `kubernetes.io/service-name=${check.service}`,
        })
        const ready = slices.items
          .flatMap((slice) => slice.endpoints ?? [])
          .filter((endpoint) => endpoint.conditions?.ready !== false).length
        return { ready: ready > 0, detail: `${what}: ${ready} ready endpoint${ready === 1 ? '' : 's'}` }
      }
      case 'load-balancer': {
        const service = await this.core.readNamespacedService({ name: check.service, namespace })
        const ingress = service.status?.loadBalancer?.ingress?.[0]
        const address = ingress?.ip ?? ingress?.hostname
        return address
          ? { ready: true, detail: `${what}: ${address}`, address }
          : { ready: false, detail: `${what}: no address yet` }
      }
      case 'address-pool': {
        const pool = (await this.custom.getNamespacedCustomObject({
          group: 'metallb.io',
          version: 'v1beta1',
          namespace,
          plural: 'ipaddresspools',
          name: check.name,
        })) as { spec?: { addresses?: string[] } }
        const advertisement = (await this.custom.getNamespacedCustomObject({
          group: 'metallb.io',
          version: 'v1beta1',
          namespace,
          plural: 'l2advertisements',
          name: check.name,
        })) as { spec?: { ipAddressPools?: string[] } }
        const addresses = pool.spec?.addresses ?? []
        const same = addresses.length === 1 && addresses[0] === check.addresses
        const announced = advertisement.spec?.ipAddressPools?.includes(check.name) ?? false
        return {
          ready: same && announced,
          detail: `${what}: ${addresses.join(', ') || 'no addresses'}${announced ? ', announced' : ', not announced'}`,
        }
      }
      case 'storage-class': {
        const storageClass = await this.storage.readStorageClass({ name: check.name })
        const differs = Object.entries(check.parameters).filter(
          ([key, value]) => storageClass.parameters?.[key] !== value,
        )
        return {
          ready: differs.length === 0,
          detail: `${what}: ${differs.length === 0 ? 'as set' : differs.map(([key, value]) => `${key} ${storageClass.parameters?.[key] ?? 'unset'}, not ${value}`).join(', ')}`,
        }
      }
      case 'cluster-issuer': {
        const issuer = (await this.custom.getClusterCustomObject({
          group: 'cert-manager.io',
          version: 'v1',
          plural: 'clusterissuers',
          name: check.name,
        })) as { status?: { conditions?: Condition[] } }
        const condition = issuer.status?.conditions?.find((c) => c.type === 'Ready')
        return {
          ready: condition?.status === 'True',
          detail: `${what}: ${condition ? `Ready ${condition.status}${condition.message ? ` (${condition.message})` : ''}` : 'no Ready condition yet'}`,
        }
      }
    }
  }
}

export function describeCheck(check: ReadinessCheck): string {
  switch (check.kind) {
    case 'deployment':
    case 'daemonset':
      return `${check.kind} ${check.name}`
    case 'webhook':
      return `webhook service ${check.service}`
    case 'load-balancer':
      return `LoadBalancer service ${check.service}`
    case 'address-pool':
      return `address pool ${check.name}`
    case 'cluster-issuer':
      return `ClusterIssuer ${check.name}`
    case 'storage-class':
      return `StorageClass ${check.name}`
  }
}
