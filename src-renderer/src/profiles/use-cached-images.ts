import { useEffect, useState } from 'react'
import type { CachedImage } from '../../../src-shared/images/image-schemas.ts'
import { call } from '../bridge/bridge.ts'

/** The images in the cache, for the image pickers; empty until they arrive or when the cache fails. */
export function useCachedImages(): CachedImage[] {
  const [images, setImages] = useState<CachedImage[]>([])
  useEffect(() => {
    let active = true
    call('images.list', {}).then(
      (list) => active && setImages(list),
      () => undefined, // the picker then says the cache is empty; other kinds still work
    )
    return () => {
      active = false
    }
  }, [])
  return images
}
