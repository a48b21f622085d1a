// A flash as the user follows it: queued, preparing the image, writing, verifying, powering on,
// and how it ended. "verified" is true only when the BMC itself verified the written bytes.
import { z } from 'zod'
import { nodeNumberSchema } from '../bmc/node-number.ts'
import { boardIdSchema } from '../boards/board-schemas.ts'
import { sha256Schema } from '../images/image-schemas.ts'
import { byteProgressSchema } from '../progress/progress.ts'

export const flashPhases = [
  'queued',
  'preparing',
  'writing',
  'verifying',
  'powering-on',
  'done',
  'failed',
  'cancelled',
] as const
export const flashPhaseSchema = z.enum(flashPhases)
export type FlashPhase = z.infer<typeof flashPhaseSchema>

export const finishedPhases: readonly FlashPhase[] = ['done', 'failed', 'cancelled']

export const flashImageSourceSchema = z.discriminatedUnion('kind', [
  /** A file on the machine the core runs on (Electron drop, file picker, CLI argument). */
  z.object({
    kind: z.literal('file'),
    path: z.string().min(1, { message: 'is empty: choose an image file' }),
  }),
  /** An image already in the cache. */
  z.object({ kind: z.literal('cached'), sha256: sha256Schema }),
])
export type FlashImageSource = z.infer<typeof flashImageSourceSchema>

export const flashRequestSchema = z.object({
  boardId: boardIdSchema,
  node: nodeNumberSchema,
  image: flashImageSourceSchema,
  /** Ask the BMC to read the eMMC back and check it (roughly doubles the time). */
  verify: z.boolean().default(true),
  powerOnAfter: z.boolean().default(true),
})
export type FlashRequest = z.input<typeof flashRequestSchema>

export const flashJobSchema = z.object({
  id: z.string(),
  boardId: z.string(),
  boardName: z.string(),
  node: nodeNumberSchema,
  imageName: z.string(),
  /** Raw bytes to write; null until the image is prepared. */
  imageSizeBytes: z.number().nullable(),
  imageSha256: z.string().nullable(),
  verify: z.boolean(),
  powerOnAfter: z.boolean(),
  phase: flashPhaseSchema,
  progress: byteProgressSchema.nullable(),
  /** What is happening now, or how it failed (the BMC's own words included). */
  message: z.string().nullable(),
  /** The phase a failed or cancelled flash stopped in. */
  failedPhase: flashPhaseSchema.nullable(),
  verified: z.boolean(),
  queuedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
})
export type FlashJob = z.infer<typeof flashJobSchema>

export const flashRecordSchema = z.object({
  id: z.string(),
  boardId: z.string(),
  node: nodeNumberSchema,
  imageSha256: z.string().nullable(),
  imageName: z.string(),
  imageSizeBytes: z.number(),
  /** `interrupted`: the process running the flash died (killed, crashed) before it ended. */
  outcome: z.enum(['done', 'failed', 'cancelled', 'interrupted']),
  verified: z.boolean(),
  failedPhase: z.string().nullable(),
  message: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationSeconds: z.number(),
})
export type FlashRecord = z.infer<typeof flashRecordSchema>
