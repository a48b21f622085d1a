// How the library names an image's facts in one line each.
import type { CachedImage } from '../../../src-shared/images/image-schemas.ts'

/** "armbian 26.2.1 · arm64", or null when the source said nothing about it. */
export function imageOsText(image: Pick<CachedImage, 'os' | 'osVersion' | 'arch'>): string | null {
  const parts = [[image.os, image.osVersion].filter(Boolean).join(' '), image.arch].filter(Boolean)
  return parts.length > 0 ? parts.join(' · ') : null
}
