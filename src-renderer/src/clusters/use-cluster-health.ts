// A cluster's health while its page is shown: asked for once, then kept up to date by the
// core's watch (clusters.healthChanged events). Asking again every 30 s only renews the watch's
// one-minute lease — the snapshot that comes back is the watch's latest, not a new poll of the
// cluster — so a closed page lets the core stop watching.
import { useCallback, useEffect, useState } from 'react'
import type { ClusterHealth } from '../../../src-shared/clusters/health-schema.ts'
import { bridge, call, errorText } from '../bridge/bridge.ts'
import { usePolling } from '../common/use-polling.ts'

const leaseRenewMs = 30_000

export interface ClusterHealthState {
  health: ClusterHealth | undefined
  failure: { message: string; hint?: string } | undefined
}

export function useClusterHealth(clusterName: string): ClusterHealthState {
  const [health, setHealth] = useState<ClusterHealth>()
  const [failure, setFailure] = useState<ClusterHealthState['failure']>()

  useEffect(
    () =>
      bridge.subscribe('clusters.healthChanged', (changed) => {
        if (changed.cluster === clusterName) setHealth(changed)
      }),
    [clusterName],
  )
  const ask = useCallback(async () => {
    try {
      setHealth(await call('clusters.health', { ref: clusterName }))
      setFailure(undefined)
    } catch (error) {
      setFailure(errorText(error))
    }
  }, [clusterName])
  usePolling(ask, leaseRenewMs)
  return { health, failure }
}
