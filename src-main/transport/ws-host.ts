// The loopback WebSocket host: serves the built renderer and carries the contract to a normal
// browser. It binds 127.0.0.1 only, on a random port, and answers only clients that present the
// random token and come from its own origin (a web page elsewhere cannot drive it).
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import {
  AppError,
  describeIssues,
  type AppErrorData,
  type Result,
} from '../../src-shared/contract/app-error.ts'
import {
  clientMessageSchema,
  requestIdSchema,
  type ClientMessage,
  uploadPath,
  wsCloseCodes,
  wsPath,
  type ServerMessage,
} from '../../src-shared/contract/ws-protocol.ts'
import type { AppCore } from '../core/app-core.ts'
import { serveStatic } from './static-files.ts'

export interface WsHostOptions {
  core: AppCore
  rendererDir: string
  port?: number
  token?: string
  /** Tighter bounds than wsHostLimits, e.g. for tests that reach them quickly. */
  limits?: Partial<WsHostLimits>
}

export interface WsHost {
  /** The address to open in a browser; the token rides in the fragment. */
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

const helloTimeoutMs = 5_000

/**
 * What one client may cost the host; beyond these it is refused with a `busy` error (or, for a
 * reader too slow to take its answers, disconnected) and every other client carries on.
 */
export const wsHostLimits = {
  /** Open WebSocket connections, authenticated or not. */
  maxConnections: 32,
  /** Requests of one connection the core is working on; more are answered `busy` at once. */
  maxInFlightPerConnection: 64,
  /** One message; the largest request (a 1 MiB profile as JSON-escaped YAML) fits with room. */
  maxMessageBytes: 8 * 1024 * 1024,
  /** Answers and events queued for a client that does not read them. */
  maxBufferedBytes: 32 * 1024 * 1024,
} as const

export type WsHostLimits = { [K in keyof typeof wsHostLimits]: number }

export async function startWsHost({
  core,
  rendererDir,
  port = 0,
  token,
  limits: tighter = {},
}: WsHostOptions): Promise<WsHost> {
  const limits: WsHostLimits = { ...wsHostLimits, ...tighter }
  const secret = token ?? randomBytes(32).toString('base64url')
  const server = createServer((req, res) => {
    if (!isOwnHost(req, boundPort())) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('Misdirected request')
      return
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (url.pathname === uploadPath) {
      void receiveUpload(req, res, url)
      return
    }
    void serveStatic(rendererDir, req, res)
  })

  async function receiveUpload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const answer = (status: number, result: Result<unknown>) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(result))
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    if (req.method !== 'POST' || !bearer || !tokensMatch(bearer, secret)) {
      req.resume()
      answer(401, { ok: false, error: { code: 'transport', message: 'Upload refused: no valid token.' } })
      return
    }
    try {
      const importId = url.searchParams.get('importId') ?? ''
      const image = await core.images.importUpload(req, url.searchParams.get('name') ?? '', {
        ...(/^[\w-]{1,64}$/.test(importId) ? { importId } : {}),
        forFlash: url.searchParams.get('for') === 'flash',
      })
      answer(200, { ok: true, value: image })
    } catch (error) {
      req.resume()
      const appError =
        error instanceof AppError
          ? error
          : new AppError('internal', `The upload failed: ${(error as Error).message}`)
      answer(appError.code === 'invalid_input' ? 400 : 500, { ok: false, error: appError.toData() })
    }
  }
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes })
  const boundPort = () => (server.address() as AddressInfo).port

  server.on('upgrade', (req, socket, head) => {
    // A client that resets mid-handshake must not take the host down with an unhandled 'error'.
    socket.on('error', () => socket.destroy())
    const path = (req.url ?? '').split('?')[0]
    if (path !== wsPath || !isOwnHost(req, boundPort()) || !isOwnOrigin(req, boundPort())) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
      return
    }
    const full = wss.clients.size >= limits.maxConnections
    wss.handleUpgrade(req, socket, head, (ws) => (full ? refuseConnection(ws) : serveClient(ws)))
  })

  const clients = new Set<WebSocket>()
  const unsubscribe = core.events.onAny((name, payload) => {
    for (const ws of clients) send(ws, { kind: 'event', name, payload })
  })

  function refuseConnection(ws: WebSocket): void {
    ws.on('error', () => undefined)
    send(ws, {
      kind: 'error',
      error: busy(
        `The Clusterdeck host already serves ${limits.maxConnections} connections.`,
        'Close other Clusterdeck tabs or scripts, then reload.',
      ),
    })
    ws.close(wsCloseCodes.busy, 'too many connections')
  }

  function serveClient(ws: WebSocket): void {
    let authenticated = false
    let inFlight = 0
    // On a bad frame ws closes this connection itself with the matching close code (1002 protocol
    // error, 1007 invalid UTF-8, 1009 too big) and reports it here; only this client is gone.
    ws.on('error', () => undefined)
    const helloTimer = setTimeout(() => ws.close(wsCloseCodes.unauthorized, 'no hello'), helloTimeoutMs)
    ws.on('close', () => {
      clearTimeout(helloTimer)
      clients.delete(ws)
    })
    ws.on('message', (data, isBinary) => {
      const message = parseMessage(isBinary ? undefined : data.toString())
      if (!authenticated) {
        // Before the hello nothing is answered: a stranger learns no more than the close code.
        if (!message.ok) {
          ws.close(wsCloseCodes.protocolError, closeReason(message.problem))
          return
        }
        if (message.value.kind !== 'hello' || !tokensMatch(message.value.token, secret)) {
          ws.close(wsCloseCodes.unauthorized, 'bad token')
          return
        }
        authenticated = true
        clearTimeout(helloTimer)
        clients.add(ws)
        send(ws, { kind: 'ready' })
        return
      }
      if (!message.ok) {
        // A malformed message costs only itself: answered, the connection and its requests go on.
        const error = new AppError(
          'invalid_input',
          `The message was refused: ${message.problem}`,
          'Send {"kind":"invoke","id":<non-negative integer>,"name":"<request>","input":{…}}.',
        ).toData()
        send(ws, message.id === undefined ? { kind: 'error', error } : resultMessage(message.id, error))
        return
      }
      const msg = message.value
      if (msg.kind !== 'invoke') return
      if (inFlight >= limits.maxInFlightPerConnection) {
        send(
          ws,
          resultMessage(
            msg.id,
            busy(
              `The request was refused: ${limits.maxInFlightPerConnection} requests of this connection are still running.`,
              'Wait for some of them to finish, then try again.',
            ),
          ),
        )
        return
      }
      inFlight++
      void core.dispatch(msg.name, msg.input).then((result) => {
        inFlight--
        send(ws, { kind: 'result', id: msg.id, result })
      })
    })
  }

  function send(ws: WebSocket, message: ServerMessage): void {
    if (ws.readyState !== ws.OPEN) return
    // A client that stops reading would make the host buffer its results and events without end.
    if (ws.bufferedAmount > limits.maxBufferedBytes) {
      ws.terminate()
      return
    }
    ws.send(JSON.stringify(message))
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })

  return {
    url: `http://127.0.0.1:${boundPort()}/#token=${secret}`,
    port: boundPort(),
    async close() {
      unsubscribe()
      for (const ws of wss.clients) ws.terminate()
      wss.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

type Parsed =
  | { ok: true; value: ClientMessage }
  | {
      ok: false
      problem: string
      /** The id to answer with, when the message carried a usable one. */
      id?: number
    }

function parseMessage(text: string | undefined): Parsed {
  if (text === undefined) return { ok: false, problem: 'binary messages are not accepted' }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return { ok: false, problem: 'the message is not JSON' }
  }
  const parsed = clientMessageSchema.safeParse(json)
  if (parsed.success) return { ok: true, value: parsed.data }
  const id = requestIdSchema.safeParse((json as { id?: unknown } | null)?.id)
  return {
    ok: false,
    problem: describeIssues(parsed.error).slice(0, 500),
    ...(id.success ? { id: id.data } : {}),
  }
}

/** A close reason is limited to 123 bytes of UTF-8; ws throws on a longer one. */
function closeReason(text: string): string {
  let reason = text.slice(0, 120)
  while (Buffer.byteLength(reason) > 123) reason = reason.slice(0, -1)
  return reason
}

function resultMessage(id: number, error: AppErrorData): ServerMessage {
  return { kind: 'result', id, result: { ok: false, error } }
}

function busy(message: string, hint: string): AppErrorData {
  return new AppError('busy', message, hint).toData()
}

function tokensMatch(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

// DNS rebinding guard: a page served under another name that resolves to 127.0.0.1 sends its own
// Host header, which we refuse.
function isOwnHost(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`
}

function isOwnOrigin(req: IncomingMessage, port: number): boolean {
  const origin = req.headers.origin
  // Non-browser clients (tests, scripts) send no Origin; the token still guards them.
  return (
    origin === undefined || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`
  )
}
