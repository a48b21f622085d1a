import { z } from 'zod'
import { cachedImageSchema } from '../images/image-schemas.ts'
import { defineEvent, defineRequest } from './define.ts'

export const imageRequests = {
  'images.list': defineRequest({
    description: 'The raw images in the cache, most recently used first.',
    input: z.object({}).strict(),
    output: z.array(cachedImageSchema),
  }),
  'images.importFile': defineRequest({
    description:
      'Imports an image file on the machine the core runs on into the cache (unpacked and hashed once). Browsers, which have no file paths, upload to /upload on the WebSocket host instead.',
    input: z.object({ path: z.string().min(1, { message: 'is empty: choose an image file' }) }),
    output: cachedImageSchema,
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
}
