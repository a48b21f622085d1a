// The response shapes bmcd produces: the `{"response":[{"result":…}]}` envelope of the generic
// endpoints (and its `uart` variant), and the bare or plain-text bodies of the flash endpoints,
// whose errors all arrive as HTTP 500 text.
import type { ServerResponse } from 'node:http'

export interface Reply {
  status: number
  body: string | Buffer
  headers: Record<string, string>
}

const json = { 'Content-Type': 'application/json' }
const text = { 'Content-Type': 'text/plain; charset=utf-8' }

export function enveloped(status: number, result: unknown): Reply {
  return { status, body: JSON.stringify({ response: [{ result }] }), headers: json }
}

export const okEnvelope = enveloped(200, 'ok')

export function uartEnvelope(output: string): Reply {
  return { status: 200, body: JSON.stringify({ response: [{ uart: output }] }), headers: json }
}

export function plainText(status: number, message: string, headers: Record<string, string> = {}): Reply {
  return { status, body: message, headers: { ...text, ...headers } }
}

/** Bare JSON as the flash endpoints send it: serialized by hand, so labelled text/plain. */
export function bareJson(value: unknown): Reply {
  return plainText(200, JSON.stringify(value))
}

export function emptyReply(status = 200): Reply {
  return { status, body: '', headers: {} }
}

/** `close` ends the connection after the reply, used when the request body is left unread. */
export function sendReply(
  res: ServerResponse,
  reply: Reply,
  { close = false }: { close?: boolean } = {},
): void {
  if (res.headersSent || res.destroyed) return
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body) : reply.body
  res.writeHead(reply.status, {
    ...reply.headers,
    'Content-Length': String(body.length),
    ...(close ? { Connection: 'close' } : {}),
  })
  res.end(body)
}
