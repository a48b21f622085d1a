// Which images leave the cache to make room for a new one: the least recently used first, never a
// pinned image and never one a flash holds. Pure, so the order is easy to test and explain.
import type { CachedImage } from '../../src-shared/images/image-schemas.ts'

export interface EvictionPlan {
  /** Whether the new image fits under the limit once `evict` is gone. */
  fits: boolean
  /**
   * The images to evict, least recently used first. When even all of them are not enough, this is
   * every candidate: a flash's import evicts them anyway, a library import evicts nothing.
   */
  evict: CachedImage[]
  /** What no eviction can free: pinned images and images a flash holds. */
  keptBytes: number
}

export function planEviction(
  images: readonly CachedImage[],
  {
    limitBytes,
    incomingBytes,
    inUse,
  }: { limitBytes: number | null; incomingBytes: number; inUse: ReadonlySet<string> },
): EvictionPlan {
  const candidates = images
    .filter((image) => !image.pinned && !inUse.has(image.sha256))
    .sort((a, b) => a.lastUsedAt.localeCompare(b.lastUsedAt) || a.addedAt.localeCompare(b.addedAt))
  let total = images.reduce((sum, image) => sum + image.sizeBytes, 0)
  const keptBytes = total - candidates.reduce((sum, image) => sum + image.sizeBytes, 0)
  const evict: CachedImage[] = []
  if (limitBytes === null) return { fits: true, evict, keptBytes }
  for (const candidate of candidates) {
    if (total + incomingBytes <= limitBytes) break
    evict.push(candidate)
    total -= candidate.sizeBytes
  }
  return { fits: total + incomingBytes <= limitBytes, evict, keptBytes }
}
