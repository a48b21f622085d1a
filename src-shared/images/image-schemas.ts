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
})
export type CachedImage = z.infer<typeof cachedImageSchema>
