import { z } from 'zod'
import { downloadJobSchema, pullRequestSchema } from '../images/download-schemas.ts'
import {
  cachedImageSchema,
  imageChangeSchema,
  imageSettingsSchema,
  imageUsageSchema,
} from '../images/image-schemas.ts'
import { defineEvent, defineRequest } from './define.ts'

/** An image by its SHA-256, a unique prefix of it (6+ hex digits) or its exact name. */
const imageRef = z.object({ ref: z.string().min(1, { message: 'is empty: give a SHA-256 or a name' }) })

export const imageRequests = {
  'images.list': defineRequest({
    description: 'The raw images in the cache, most recently used first.',
    input: z.object({}).strict(),
    output: z.array(cachedImageSchema),
  }),
  'images.importFile': defineRequest({
    description:
      'Imports an image file on the machine the core runs on into the cache (unpacked and hashed once). Browsers, which have no file paths, upload to /upload on the WebSocket host instead.',
    input: z.object({
      path: z.string().min(1, { message: 'is empty: choose an image file' }),
      /** Chosen by the caller so it can tell its own images.importProgress events apart. */
      importId: z
        .string()
        .regex(/^[\w-]{1,64}$/)
        .optional(),
    }),
    output: cachedImageSchema,
  }),
  'images.usage': defineRequest({
    description: 'How much the cache holds: image count, total and pinned bytes, and the size limit.',
    input: z.object({}).strict(),
    output: imageUsageSchema,
  }),
  'images.remove': defineRequest({
    description: 'Deletes an image from the cache (file and record); refused while a flash reads it.',
    input: imageRef,
    output: cachedImageSchema,
  }),
  'images.pin': defineRequest({
    description: 'Pins an image (never evicted by the size limit) or unpins it.',
    input: imageRef.extend({ pinned: z.boolean() }),
    output: cachedImageSchema,
  }),
  'images.settings': defineRequest({
    description: 'The cache settings: the size limit (null: none) and how many downloads run at once.',
    input: z.object({}).strict(),
    output: imageSettingsSchema,
  }),
  'images.updateSettings': defineRequest({
    description:
      'Changes cache settings. A lower limit applies from the next import or download (which evicts least recently used unpinned images).',
    input: imageSettingsSchema.partial(),
    output: imageSettingsSchema,
  }),
  'images.pull': defineRequest({
    description:
      'Downloads an image into the cache: resumes an interrupted download of the same URL, verifies the published SHA-256 (given, from a checksum file, or known to a catalog such as Armbian), then unpacks it. Resolves the job at once; follow images.downloadProgress.',
    input: pullRequestSchema,
    output: downloadJobSchema,
  }),
  'images.downloads': defineRequest({
    description:
      'Running, queued, failed and interrupted downloads, and the recently finished ones; newest first.',
    input: z.object({}).strict(),
    output: z.array(downloadJobSchema),
  }),
  'images.cancelDownload': defineRequest({
    description: 'Stops a download and discards its bytes (an interrupted one cannot be resumed afterwards).',
    input: z.object({ id: z.string().min(1) }),
    output: downloadJobSchema,
  }),
}

export const imageEvents = {
  'images.importProgress': defineEvent({
    description: 'An import into the cache made progress (about four times a second).',
    payload: z.object({
      importId: z.string(),
      name: z.string(),
      packedBytes: z.number(),
      packedTotal: z.number(),
      rawBytes: z.number(),
    }),
  }),
  'images.downloadProgress': defineEvent({
    description: 'A download changed state or made progress (about four times a second): the whole job.',
    payload: downloadJobSchema,
  }),
  'images.changed': defineEvent({
    description:
      'The library changed (an image added, removed, evicted, pinned or unpinned): refresh the list.',
    payload: imageChangeSchema,
  }),
}
