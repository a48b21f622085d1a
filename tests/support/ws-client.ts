// A client of the loopback WebSocket host over the `ws` library: connects, says hello with the
// token, collects everything the host sends and offers invoke() with its own request ids.
import WebSocket from 'ws'
import type { ServerMessage } from '../../src-shared/contract/ws-protocol.ts'

export interface WsClient {
  readonly ws: WebSocket
  readonly messages: ServerMessage[]
  readonly closed: Promise<{ code: number; reason: string }>
  /** Sends an invoke and resolves its result (failing after timeoutMs). */
  invoke(name: string, input: unknown, timeoutMs?: number): Promise<unknown>
  /** Sends raw text as one message. */
  sendText(text: string): void
  /** Resolves the first message (already received or yet to come) that matches. */
  waitFor(match: (message: ServerMessage) => boolean, timeoutMs?: number): Promise<ServerMessage>
}

export async function connectWsClient(
  port: number,
  token: string,
  { origin }: { origin?: string } = {},
): Promise<WsClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, origin ? { origin } : {})
  const messages: ServerMessage[] = []
  ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as ServerMessage))
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  )
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  ws.on('error', () => undefined)
  ws.send(JSON.stringify({ kind: 'hello', token }))
  let nextId = 1

  async function waitFor(match: (message: ServerMessage) => boolean, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = messages.find(match)
      if (found) return found
      if (Date.now() > deadline) throw new Error('the host did not send the expected message')
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }

  return {
    ws,
    messages,
    closed,
    async invoke(name, input, timeoutMs) {
      const id = nextId++
      ws.send(JSON.stringify({ kind: 'invoke', id, name, input }))
      const answer = await waitFor((m) => m.kind === 'result' && m.id === id, timeoutMs)
      return (answer as Extract<ServerMessage, { kind: 'result' }>).result
    },
    sendText: (text) => ws.send(text),
    waitFor,
  }
}
