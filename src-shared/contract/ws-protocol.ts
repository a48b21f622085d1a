// The messages of the loopback WebSocket transport. The client proves it holds the host's token in
// its first message; the token travels in the page URL's fragment, which browsers never send to
// the server, so it stays out of request lines and logs.
import { z } from 'zod'
import type { AppErrorData } from './app-error.ts'

/** The id a client gives an invoke; the result carries it back. */
export const requestIdSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)

export const clientMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('hello'), token: z.string().min(1) }),
  z.object({
    kind: z.literal('invoke'),
    id: requestIdSchema,
    name: z.string(),
    // Optional: the dispatcher reads a missing input as {} (requests without fields).
    input: z.unknown().optional(),
  }),
])

export type ClientMessage = z.infer<typeof clientMessageSchema>

export type ServerMessage =
  | { kind: 'ready' }
  | {
      kind: 'result'
      id: number
      result: { ok: true; value: unknown } | { ok: false; error: AppErrorData }
    }
  | { kind: 'event'; name: string; payload: unknown }
  /** A message the host refused without a request id to answer it with (malformed, or over a limit). */
  | { kind: 'error'; error: AppErrorData }

export const wsPath = '/api'

/**
 * Browsers have no file paths, so a dropped image reaches the core as an upload:
 * POST {uploadPath}?name=<file name>&importId=<uuid> with `authorization: Bearer <token>` and the
 * file as the body. The answer is a JSON Result<CachedImage>; images.importProgress events carry
 * the importId while the core unpacks it. `&for=flash` marks a file dropped to be flashed: like a
 * flash's own import it may go over the image cache limit.
 */
export const uploadPath = '/upload'

/** Close codes the host uses, so the client can tell the user what went wrong. */
export const wsCloseCodes = {
  unauthorized: 4401,
  protocolError: 4400,
  /** The host already serves as many connections as it allows, or this client read too slowly. */
  busy: 4503,
} as const
