// Which images leave the cache to make room for a new one: the least recently used first, never a
// pinned image and never one a flash is reading. Pure, so the order is easy to test and explain.
import type { CachedImage } from '../../src-shared/images/image-schemas.ts'

export type EvictionPlan =
  | { fits: true; evict: CachedImage[] }
  /** Even evicting every candidate leaves too little room: nothing should be evicted. */
  | { fits: false; keptBytes: number; freeableBytes: number }

export function planEviction(
  images: readonly CachedImage[],
  {
    limitBytes,
    incomingBytes,
    inUse,
  }: { limitBytes: number | null; incomingBytes: number; inUse: ReadonlySet<string> },
): EvictionPlan {
  let total = images.reduce((sum, image) => sum + image.sizeBytes, 0)
  if (limitBytes === null || total + incomingBytes <= limitBytes) return { fits: true, evict: [] }
  const candidates = images
    .filter((image) => !image.pinned && !inUse.has(image.sha256))
    .sort((a, b) => a.lastUsedAt.localeCompare(b.lastUsedAt) || a.addedAt.localeCompare(b.addedAt))
  const evict: CachedImage[] = []
  for (const candidate of candidates) {
    if (total + incomingBytes <= limitBytes) break
    evict.push(candidate)
    total -= candidate.sizeBytes
  }
  if (total + incomingBytes <= limitBytes) return { fits: true, evict }
  const freeableBytes = candidates.reduce((sum, image) => sum + image.sizeBytes, 0)
  return { fits: false, keptBytes: total, freeableBytes }
}
