// The serial console WebSocket of FW 2.1 (turingpi-bmc-api.md §5.2): `GET /api/bmc/serial/ws?node=N`
// upgraded with the Authorization header. The server broadcasts the node's serial output as binary
// frames; every frame a client sends is written to the node raw, without CR LF. It pings every 5 s
// and drops a client that has not answered for 30 s. FW 2.0.5 has no such route.
//
// The node behind the port is a terminal in canonical mode: a running node echoes what it is sent,
// ends a line on CR or LF, answers ^C and rubs out on DEL/BS. A node that is off hears nothing.
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import type { Authenticator } from './auth.ts'
import type { BoardState } from './board-state.ts'
import type { FirmwareProfile } from './firmware-profiles.ts'
import { nodeParam, parseQuery } from './request-params.ts'

export const serialSocketPath = '/api/bmc/serial/ws'
const pingIntervalMs = 5_000
const silenceLimitMs = 30_000

export interface SerialSockets {
  /** The server's `upgrade` listener. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void
  /** Drops every client (the BMC going down or closing). */
  closeAll(): void
}

export function createSerialSockets(options: {
  board: BoardState
  profile: FirmwareProfile
  auth: Authenticator
  isDown(): boolean
}): SerialSockets {
  const { board, profile, auth } = options
  const server = new WebSocketServer({ noServer: true })
  // What each node has been typed since its last line ended, for rubout.
  const lines = new Map<number, number>()

  const refuse = (socket: Duplex, status: number, reason: string, message: string) => {
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\nConnection: close\r\n\r\n${message}`,
    )
  }

  const type = (node: number, bytes: Buffer) => {
    if (!board.isRunning(node)) return
    let echo = ''
    let pending = lines.get(node) ?? 0
    for (const byte of bytes) {
      if (byte === 0x0d || byte === 0x0a) {
        echo += '\r\n'
        pending = 0
      } else if (byte === 0x03) {
        echo += '^C\r\n'
        pending = 0
      } else if (byte === 0x7f || byte === 0x08) {
        if (pending > 0) {
          echo += '\b \b'
          pending--
        }
      } else if (byte >= 0x20) {
        echo += String.fromCharCode(byte)
        pending++
      } else {
        // Other control characters echo in caret notation, as a tty with ECHOCTL does.
        echo += `^${String.fromCharCode(byte + 0x40)}`
        pending += 2
      }
    }
    lines.set(node, pending)
    if (echo) board.uart(node).append(Buffer.from(echo, 'latin1'))
  }

  const attach = (client: WebSocket, node: number) => {
    let heardAt = Date.now()
    const heard = () => (heardAt = Date.now())
    client.on('pong', heard)
    client.on('ping', heard)
    const stop = board.uart(node).onAppend((bytes) => client.send(bytes, { binary: true }))
    const pinger = setInterval(() => {
      if (Date.now() - heardAt > silenceLimitMs) return void client.terminate()
      client.ping()
    }, pingIntervalMs)
    pinger.unref()
    client.on('message', (data: Buffer | Buffer[] | ArrayBuffer) => {
      heard()
      type(node, Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer))
    })
    client.on('close', () => {
      stop()
      clearInterval(pinger)
    })
  }

  return {
    upgrade(req, socket, head) {
      const url = new URL(req.url ?? '/', 'https://virtual-board')
      if (options.isDown()) return void socket.destroy()
      if (url.pathname !== serialSocketPath || !profile.extraTypes) {
        return refuse(socket, 404, 'Not Found', '')
      }
      const authorized = auth.authorize(req.socket.remoteAddress ?? 'unknown', req.headers.authorization)
      if (!authorized.ok) return refuse(socket, 401, 'Unauthorized', authorized.message)
      const node = nodeParam(parseQuery(url.search.slice(1)))
      if (typeof node !== 'number') return refuse(socket, 400, 'Bad Request', node.error)
      server.handleUpgrade(req, socket, head, (client) => attach(client, node))
    },
    closeAll() {
      for (const client of server.clients) client.terminate()
    },
  }
}
