// The cluster records, shared by the navigation and the cluster pages. A record changes while runs
// go on (a bootstrap seals the configs, a settled run records its nodes), so every run event
// reloads the list; the list is small and holds no secret.
import { useEffect, useSyncExternalStore } from 'react'
import type { ClusterRecord } from '../../../src-shared/clusters/cluster-schema.ts'
import { bridge, call, errorText } from '../bridge/bridge.ts'

export interface ClustersState {
  records: ClusterRecord[] | undefined
  error: { message: string; hint?: string } | undefined
}

let state: ClustersState = { records: undefined, error: undefined }
let loaded = false
let loading: Promise<void> | undefined
const listeners = new Set<() => void>()

function publish(next: ClustersState): void {
  state = next
  for (const listener of listeners) listener()
}

export function reloadClusters(): Promise<void> {
  loaded = true
  // One load at a time: a burst of run events asks once more at most.
  loading ??= call('clusters.list', {})
    .then(
      (records) => publish({ records, error: undefined }),
      (error: unknown) => publish({ records: state.records, error: errorText(error) }),
    )
    .finally(() => (loading = undefined))
  return loading
}

let stopEvents: (() => void) | undefined

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  stopEvents ??= bridge.subscribe('lifecycle.run', () => void reloadClusters())
  return () => {
    listeners.delete(listener)
    if (listeners.size === 0) {
      stopEvents?.()
      stopEvents = undefined
    }
  }
}

export function useClusters(): ClustersState {
  const current = useSyncExternalStore(subscribe, () => state)
  useEffect(() => {
    if (!loaded) void reloadClusters()
  }, [])
  return current
}

/** Whether the cluster has a client config to take: something for its access page to show. */
export function hasClientConfig(record: ClusterRecord): boolean {
  return (
    record.destroyedAt === null &&
    record.artifacts.some((a) => a.name === 'kubeconfig' || a.name === 'talosconfig')
  )
}
