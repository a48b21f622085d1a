// The tools manager: the external binaries the core drives (talosctl, helm), where each comes
// from, which version is in use and whether it was verified (docs/tools.md).
import { z } from 'zod'
import { byteProgressSchema } from '../progress/progress.ts'
import { defineEvent, defineRequest } from './define.ts'

export const toolNameSchema = z.enum(['talosctl', 'helm'])
const toolSourceSchema = z.enum(['configured', 'path', 'managed'])

export const toolStatusSchema = z.object({
  name: toolNameSchema,
  /** The releases Clusterdeck can install, and whether one is published for this machine. */
  pinned: z.array(z.object({ version: z.string(), availableForThisMachine: z.boolean() })),
  /** Every binary found: the configured path, those on PATH, those installed by Clusterdeck. */
  found: z.array(
    z.object({
      path: z.string(),
      version: z.string().nullable(),
      source: toolSourceSchema,
      fits: z.boolean(),
      /** Managed binaries: checked against the hash recorded at install in this process. */
      verified: z.boolean().nullable(),
    }),
  ),
  /** What a step would run now. */
  active: z.object({ path: z.string(), version: z.string(), source: toolSourceSchema }).nullable(),
  problem: z.string().optional(),
  hint: z.string().optional(),
})
export type ToolStatus = z.infer<typeof toolStatusSchema>

const versionSchema = z.string().regex(/^v\d+\.\d+\.\d+[\w.+-]*$/, { message: 'must look like v1.13.7' })

export const toolsProgressSchema = z.object({
  tool: toolNameSchema,
  version: z.string(),
  state: z.enum(['downloading', 'installed', 'failed']),
  progress: byteProgressSchema,
})
export type ToolsProgress = z.infer<typeof toolsProgressSchema>

export const toolsRequests = {
  'tools.list': defineRequest({
    description: 'The managed tools: pinned releases, binaries found, and the one in use.',
    input: z.object({ forVersion: versionSchema.optional() }).strict(),
    output: z.array(toolStatusSchema),
  }),
  'tools.install': defineRequest({
    description:
      'Downloads, verifies and installs a pinned release: the one named, the one that fits forVersion, or the newest.',
    input: z
      .object({
        tool: toolNameSchema,
        version: versionSchema.optional(),
        forVersion: versionSchema.optional(),
      })
      .strict(),
    output: z.object({
      tool: toolNameSchema,
      path: z.string(),
      version: z.string(),
      source: toolSourceSchema,
    }),
  }),
  'tools.remove': defineRequest({
    description: 'Deletes a release installed by Clusterdeck.',
    input: z.object({ tool: toolNameSchema, version: versionSchema }).strict(),
    output: z.object({}),
  }),
  'tools.setPath': defineRequest({
    description: 'Uses your own binary for a tool (null forgets it); refused when it does not run.',
    input: z.object({ tool: toolNameSchema, path: z.string().min(1).nullable() }).strict(),
    output: z.object({}),
  }),
}

export const toolsEvents = {
  'tools.progress': defineEvent({
    description: 'A tool download or install moved on.',
    payload: toolsProgressSchema,
  }),
}
