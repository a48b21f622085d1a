import { z } from 'zod'

export const sha256Schema = z
  .string()
  .regex(/^[0-9a-f]{64}$/, { message: 'must be a SHA-256 in lower-case hex' })

/** A raw image in the cache, stored once under the SHA-256 of its raw bytes. */
export const cachedImageSchema = z.object({
  sha256: sha256Schema,
  name: z.string(),
  sizeBytes: z.number(),
  /** The file it came from, when it was compressed: its hash matches vendor checksums. */
  packedSha256: z.string().nullable(),
  packedSizeBytes: z.number().nullable(),
  sourceUrl: z.string().nullable(),
  addedAt: z.string(),
  lastUsedAt: z.string(),
  pinned: z.boolean(),
  /** What the image is, when its source says so (e.g. armbian, 26.2.1, arm64). */
  os: z.string().nullable(),
  osVersion: z.string().nullable(),
  arch: z.string().nullable(),
})
export type CachedImage = z.infer<typeof cachedImageSchema>

/** The cache's settings: null means no size limit. */
export const imageSettingsSchema = z.object({
  sizeLimitBytes: z.number().int().positive().nullable(),
  maxConcurrentDownloads: z.number().int().min(1).max(8),
})
export type ImageSettings = z.infer<typeof imageSettingsSchema>

export const imageUsageSchema = z.object({
  imageCount: z.number(),
  totalBytes: z.number(),
  pinnedBytes: z.number(),
  /** Images a queued or running flash holds: never evicted, so the total may exceed the limit. */
  heldBytes: z.number(),
  sizeLimitBytes: z.number().nullable(),
})
export type ImageUsage = z.infer<typeof imageUsageSchema>

/** Why the library changed, so a view can refresh (and say what was evicted). */
export const imageChangeSchema = z.object({
  reason: z.enum(['added', 'removed', 'evicted', 'pinned', 'unpinned']),
  sha256: sha256Schema,
  name: z.string(),
})
export type ImageChange = z.infer<typeof imageChangeSchema>
