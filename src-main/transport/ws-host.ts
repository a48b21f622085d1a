// The loopback WebSocket host: serves the built renderer and carries the contract to a normal
// browser. It binds 127.0.0.1 only, on a random port, and answers only clients that present the
// random token and come from its own origin (a web page elsewhere cannot drive it).
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { AppError, describeIssues, type Result } from '../../src-shared/contract/app-error.ts'
import {
  clientMessageSchema,
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
}

export interface WsHost {
  /** The address to open in a browser; the token rides in the fragment. */
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

const helloTimeoutMs = 5_000

export async function startWsHost({ core, rendererDir, port = 0, token }: WsHostOptions): Promise<WsHost> {
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
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 })
  const boundPort = () => (server.address() as AddressInfo).port

  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0]
    if (path !== wsPath || !isOwnHost(req, boundPort()) || !isOwnOrigin(req, boundPort())) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveClient(ws))
  })

  const clients = new Set<WebSocket>()
  const unsubscribe = core.events.onAny((name, payload) => {
    for (const ws of clients) send(ws, { kind: 'event', name, payload })
  })

  function serveClient(ws: WebSocket): void {
    let authenticated = false
    const helloTimer = setTimeout(() => ws.close(wsCloseCodes.unauthorized, 'no hello'), helloTimeoutMs)
    ws.on('close', () => {
      clearTimeout(helloTimer)
      clients.delete(ws)
    })
    ws.on('message', (data, isBinary) => {
      const message = parseMessage(isBinary ? undefined : data.toString())
      if (!message.success) {
        ws.close(wsCloseCodes.protocolError, message.error.slice(0, 120))
        return
      }
      const { data: msg } = message
      if (!authenticated) {
        if (msg.kind !== 'hello' || !tokensMatch(msg.token, secret)) {
          ws.close(wsCloseCodes.unauthorized, 'bad token')
          return
        }
        authenticated = true
        clearTimeout(helloTimer)
        clients.add(ws)
        send(ws, { kind: 'ready' })
        return
      }
      if (msg.kind === 'invoke') {
        void core
          .dispatch(msg.name, msg.input)
          .then((result) => send(ws, { kind: 'result', id: msg.id, result }))
      }
    })
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

function parseMessage(text: string | undefined) {
  if (text === undefined) return { success: false as const, error: 'binary messages are not accepted' }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return { success: false as const, error: 'message is not JSON' }
  }
  const parsed = clientMessageSchema.safeParse(json)
  return parsed.success
    ? { success: true as const, data: parsed.data }
    : { success: false as const, error: describeIssues(parsed.error) }
}

function send(ws: WebSocket, message: ServerMessage): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message))
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
