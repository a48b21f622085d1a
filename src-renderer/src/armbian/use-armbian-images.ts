// The RK1 images Clusterdeck has seen, published or not. The core asks GitHub when its listing is
// old or when told to refresh; offline, the answer says why it comes from what was seen. A change
// of the library (a download landing, an image deleted) updates which ones have a copy there.
import { useCallback, useEffect, useState } from 'react'
import type { ArmbianImagesResult } from '../../../src-shared/armbian/armbian-schemas.ts'
import { bridge, call, errorText } from '../bridge/bridge.ts'

export interface ArmbianImages {
  result: ArmbianImagesResult | undefined
  error: { message: string; hint?: string } | undefined
  refreshing: boolean
  refresh(): Promise<void>
}

export function useArmbianImages(): ArmbianImages {
  const [result, setResult] = useState<ArmbianImagesResult>()
  const [error, setError] = useState<{ message: string; hint?: string }>()
  const [refreshing, setRefreshing] = useState(false)

  const load = useCallback(async (refresh: boolean) => {
    setRefreshing(true)
    try {
      setResult(await call('armbian.images', { refresh, includeVanished: true }))
      setError(undefined)
    } catch (failure) {
      setError(errorText(failure))
    } finally {
      setRefreshing(false)
    }
  }, [])

  useEffect(() => {
    void load(false)
    return bridge.subscribe('images.changed', () => void load(false))
  }, [load])
  return { result, error, refreshing, refresh: () => load(true) }
}
