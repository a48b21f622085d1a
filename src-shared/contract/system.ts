import { z } from 'zod'
import { defineRequest } from './define.ts'

export const secretsStatusSchema = z.object({
  /** Which store holds secrets, e.g. "Secret Service", "macOS Keychain", "Electron safeStorage". */
  backend: z.string(),
  available: z.boolean(),
  /** Shown to the user whenever it is set: why secrets cannot be kept, or that a fallback is in use. */
  notice: z.string().optional(),
  /** A shell command that provides what is missing, shown with the notice. */
  fix: z.string().optional(),
})

export type SecretsStatus = z.infer<typeof secretsStatusSchema>

export const systemRequests = {
  'system.info': defineRequest({
    description: 'The app version, where its data lives and the state of the secret store.',
    input: z.object({}).strict(),
    output: z.object({
      version: z.string(),
      dataDir: z.string(),
      transport: z.enum(['electron', 'websocket', 'cli']),
      secrets: secretsStatusSchema,
    }),
  }),
}
