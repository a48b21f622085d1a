// One virtual node's COSI resources (the state Talos's controllers keep, served read-only through
// resource-state-service.ts): each resource has a version counter bumped when its spec changes,
// and watchers of one resource hear it created, updated and destroyed, in order.
import type { ResourceSpec } from './talos-resource-specs.ts'

export interface ResourceKey {
  namespace: string
  type: string
  id: string
}

export interface StoredResource extends ResourceKey {
  version: number
  created: Date
  updated: Date
  spec: ResourceSpec
}

export type ResourceEvent =
  | { type: 'CREATED' | 'UPDATED'; resource: StoredResource; old?: StoredResource }
  | { type: 'DESTROYED'; resource: StoredResource }

type Listener = (event: ResourceEvent) => void

const keyOf = ({ namespace, type, id }: ResourceKey) => `${namespace}\u0000${type}\u0000${id}`

/** The resource types and where they live (Talos machinery v1.12 names). */
export const resourceKeys = {
  machineConfig: { namespace: 'config', type: 'MachineConfigs.config.talos.dev', id: 'v1alpha1' },
  kubeletSpec: { namespace: 'k8s', type: 'KubeletSpecs.kubernetes.talos.dev', id: 'kubelet' },
  kubeletService: { namespace: 'runtime', type: 'Services.v1alpha1.talos.dev', id: 'kubelet' },
  'kube-apiserver': {
    namespace: 'controlplane',
    type: 'APIServerConfigs.kubernetes.talos.dev',
    id: 'kube-apiserver',
  },
  'kube-controller-manager': {
    namespace: 'controlplane',
    type: 'ControllerManagerConfigs.kubernetes.talos.dev',
    id: 'kube-controller-manager',
  },
  'kube-scheduler': {
    namespace: 'controlplane',
    type: 'SchedulerConfigs.kubernetes.talos.dev',
    id: 'kube-scheduler',
  },
  /** The bootstrap manifest Talos renders kube-proxy's DaemonSet into. */
  kubeProxyManifest: {
    namespace: 'controlplane',
    type: 'Manifests.kubernetes.talos.dev',
    id: '10-kube-proxy',
  },
} satisfies Record<string, ResourceKey>

export class ResourceState {
  readonly #resources = new Map<string, StoredResource>()
  readonly #listeners = new Map<string, Set<Listener>>()

  get(key: ResourceKey): StoredResource | undefined {
    return this.#resources.get(keyOf(key))
  }

  list(namespace: string, type: string): StoredResource[] {
    return [...this.#resources.values()]
      .filter((resource) => resource.namespace === namespace && resource.type === type)
      .sort((a, b) => a.id.localeCompare(b.id))
  }

  /** Creates the resource, or updates it when its spec differs; returns its version. */
  put(key: ResourceKey, spec: ResourceSpec, now = new Date()): number {
    const old = this.get(key)
    if (old && sameSpec(old.spec, spec)) return old.version
    const resource: StoredResource = {
      ...key,
      version: (old?.version ?? 0) + 1,
      created: old?.created ?? now,
      updated: now,
      spec,
    }
    this.#resources.set(keyOf(key), resource)
    this.#emit(key, old ? { type: 'UPDATED', resource, old } : { type: 'CREATED', resource })
    return resource.version
  }

  destroy(key: ResourceKey): void {
    const old = this.get(key)
    if (!old) return
    this.#resources.delete(keyOf(key))
    this.#emit(key, { type: 'DESTROYED', resource: old })
  }

  /** Every resource goes, without events: the node is down and its watchers' streams with it. */
  clear(): void {
    this.#resources.clear()
    this.#listeners.clear()
  }

  /** Hears the changes of one resource from now on; returns the unsubscribe. */
  watch(key: ResourceKey, listener: Listener): () => void {
    const id = keyOf(key)
    const listeners = this.#listeners.get(id) ?? new Set()
    listeners.add(listener)
    this.#listeners.set(id, listeners)
    return () => listeners.delete(listener)
  }

  #emit(key: ResourceKey, event: ResourceEvent): void {
    for (const listener of this.#listeners.get(keyOf(key)) ?? []) listener(event)
  }
}

function sameSpec(a: ResourceSpec, b: ResourceSpec): boolean {
  return a.yaml === b.yaml && Buffer.from(a.proto).equals(Buffer.from(b.proto))
}
