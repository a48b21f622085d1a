import { z } from 'zod'
import { armbianImagesRequestSchema, armbianImagesResultSchema } from '../armbian/armbian-schemas.ts'
import { firstBootPresetSchema } from '../armbian/first-boot-preset.ts'
import { defineRequest } from './define.ts'

export const armbianRequests = {
  'armbian.images': defineRequest({
    description:
      'The Turing RK1 images of the armbian/community GitHub releases, including those seen before and since deleted upstream; filtered by distro, variant and kernel branch; with the NPU trade-off of the kernel branches.',
    input: armbianImagesRequestSchema,
    output: armbianImagesResultSchema,
  }),
  'armbian.firstBootPreset': defineRequest({
    description:
      'The first-login preset file (/root/.not_logged_in_yet) for a node, and the key file it points at. Holds passwords: it is returned, never stored or logged.',
    input: firstBootPresetSchema,
    output: z.object({
      path: z.string(),
      text: z.string(),
      files: z.array(z.object({ path: z.string(), content: z.string(), mode: z.number() })),
      notes: z.array(z.string()),
    }),
  }),
}
