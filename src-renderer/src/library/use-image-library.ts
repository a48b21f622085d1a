// The cached images and what they add up to, kept current by images.changed: whoever changed the
// library (this window, the CLI, a download finishing, an eviction), every view shows it.
import { useCallback, useEffect, useState } from 'react'
import type { CachedImage, ImageUsage } from '../../../src-shared/images/image-schemas.ts'
import { bridge, call, errorText } from '../bridge/bridge.ts'

export interface ImageLibrary {
  /** Undefined until the first answer. */
  images: CachedImage[] | undefined
  usage: ImageUsage | undefined
  error: { message: string; hint?: string } | undefined
  reload(): Promise<void>
}

export function useImageLibrary(): ImageLibrary {
  const [images, setImages] = useState<CachedImage[]>()
  const [usage, setUsage] = useState<ImageUsage>()
  const [error, setError] = useState<{ message: string; hint?: string }>()

  const reload = useCallback(async () => {
    try {
      const [list, totals] = await Promise.all([call('images.list', {}), call('images.usage', {})])
      setImages(list)
      setUsage(totals)
      setError(undefined)
    } catch (failure) {
      setError(errorText(failure))
    }
  }, [])

  useEffect(() => {
    const unsubscribe = bridge.subscribe('images.changed', () => void reload())
    void reload()
    return unsubscribe
  }, [reload])

  return { images, usage, error, reload }
}
