// Downloads into the image cache: what a client asks for and the job it follows. A download is
// only ever a staging file until it is complete and verified; then the cache imports it.
import { z } from 'zod'
import { appErrorDataSchema } from '../contract/app-error.ts'
import { byteProgressSchema } from '../progress/progress.ts'
import { sha256Schema } from './image-schemas.ts'

const httpUrl = z
  .string()
  .url({ message: 'must be a URL' })
  .refine((value) => /^https?:\/\//i.test(value), { message: 'must be an http:// or https:// URL' })

export const pullRequestSchema = z.object({
  url: httpUrl,
  /** The name to show in the library; defaults to the URL's file name without compression suffix. */
  name: z.string().min(1).max(200).optional(),
  /** The published SHA-256 of the file as downloaded (the compressed file, when it is one). */
  sha256: z
    .string()
    .transform((value) => value.trim().toLowerCase())
    .pipe(sha256Schema)
    .optional(),
  /** A `.sha256`/`.sha` file to read the expected hash from. */
  checksumUrl: httpUrl.optional(),
  os: z.string().max(40).optional(),
  version: z.string().max(80).optional(),
  arch: z.string().max(20).optional(),
})
export type PullRequest = z.output<typeof pullRequestSchema>

export const downloadStates = [
  'queued',
  'downloading',
  /** Complete: hashing, verifying and unpacking into the cache. */
  'importing',
  'done',
  'failed',
  'cancelled',
  /** Stopped by a lost connection or the app closing; pulling the URL again resumes it. */
  'interrupted',
] as const
export type DownloadState = (typeof downloadStates)[number]
export const finishedDownloadStates: readonly DownloadState[] = ['done', 'failed', 'cancelled', 'interrupted']

export const checksumSources = ['given', 'checksum-file', 'github-digest', 'none'] as const
export type ChecksumSource = (typeof checksumSources)[number]

export const downloadJobSchema = z.object({
  id: z.string(),
  url: z.string(),
  name: z.string(),
  state: z.enum(downloadStates),
  progress: byteProgressSchema,
  /** Where the expected hash comes from; null until it is known (before the transfer starts). */
  checksum: z
    .object({ source: z.enum(checksumSources), sha256: z.string().nullable(), url: z.string().nullable() })
    .nullable(),
  /** Bytes already on disk when this run started (a resumed download), else 0. */
  resumedFromBytes: z.number(),
  /** Set when the job finished in the library. */
  imageSha256: z.string().nullable(),
  error: appErrorDataSchema.nullable(),
  /** True when pulling the same URL again continues from the bytes already downloaded. */
  resumable: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
})
export type DownloadJob = z.infer<typeof downloadJobSchema>
