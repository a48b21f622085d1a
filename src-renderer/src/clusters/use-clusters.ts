// The cluster records, shared by the navigation and the cluster pages. A record changes while runs
// go on (a bootstrap seals the configs, a settled run records its nodes), so every run event
// reloads the list; the list is small and holds no secret.
import { useEffect, useSyncExternalStore } from 'react'
import type { ClusterRecord } from '../../../src-shared/clusters/cluster-schema.ts'
import { bridge, call } from '../bridge/bridge.ts'

let records: ClusterRecord[] | undefined
let loaded = false
let loading: Promise<void> | undefined
const listeners = new Set<() => void>()

export function reloadClusters(): Promise<void> {
  loaded = true
  // One load at a time: a burst of run events asks once more at most.
  loading ??= call('clusters.list', {})
    .then((list) => {
      records = list
      for (const listener of listeners) listener()
    })
    // The pages that need a record ask for it themselves and show why it failed.
    .catch(() => undefined)
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

export function useClusters(): ClusterRecord[] | undefined {
  const current = useSyncExternalStore(subscribe, () => records)
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
