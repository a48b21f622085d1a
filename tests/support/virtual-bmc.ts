// Virtual boards and BMC clients for the integration tests of the BMC client and the flash
// pipeline: one certificate shared by every board of a test file (key generation is the slow part
// of starting a board), clients pinned to it, and closing everything after each test.
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net'
import { createServer as createTlsServer } from 'node:tls'
import type { Board } from '../../src-shared/boards/board-schemas.ts'
import { BmcClient, type BmcConnection } from '../../src-main/bmc/bmc-client.ts'
import type { Dispatch } from '../../src-main/core/dispatcher.ts'
import {
  certificateFingerprint256,
  createSelfSignedCertificate,
} from '../../src-main/virtual-board/certificate.ts'
import {
  startVirtualBoard,
  type VirtualBoard,
  type VirtualBoardCertificate,
  type VirtualBoardOptions,
} from '../../src-main/virtual-board/virtual-board-server.ts'

export const firmwares = ['2.1', '2.0.5'] as const

let sharedCertificate: Promise<VirtualBoardCertificate> | undefined
const boards: VirtualBoard[] = []
const clients: BmcClient[] = []
const servers: Array<{ server: TcpServer; sockets: Socket[] }> = []

/** A virtual board on 127.0.0.1 with fast boot and reboot, closed by closeAll(). */
export async function startBoard(options: VirtualBoardOptions): Promise<VirtualBoard> {
  sharedCertificate ??= createSelfSignedCertificate()
  const board = await startVirtualBoard({
    certificate: await sharedCertificate,
    bootDelayMs: 20,
    rebootDurationMs: 100,
    ...options,
  })
  boards.push(board)
  return board
}

/** Saves a running virtual board in a core under a name, its certificate trusted; the saved board. */
export async function saveBoard(
  core: { dispatch: Dispatch },
  board: VirtualBoard,
  name: string,
): Promise<Board> {
  const added = await core.dispatch('boards.add', {
    name,
    address: board.url,
    user: board.credentials.username,
    password: board.credentials.password,
    certificateSha256: board.fingerprint256,
  })
  if (!added.ok) throw new Error(`boards.add failed: ${added.error.message}`)
  return added.value as Board
}

/** A BMC client pinned to the board's certificate, closed by closeAll(). */
export function clientFor(
  board: VirtualBoard,
  overrides: Partial<BmcConnection> = {},
  options: { timeoutMs?: number } = {},
): BmcClient {
  const client = new BmcClient(
    {
      url: board.url,
      username: board.credentials.username,
      password: board.credentials.password,
      fingerprint: board.fingerprint256,
      label: 'board "test"',
      ...overrides,
    },
    { timeoutMs: 5000, ...options },
  )
  clients.push(client)
  return client
}

/**
 * A server that accepts connections and then says nothing: with `tls` it completes the TLS
 * handshake (with the board certificate) and never answers a request; without, it never even
 * starts TLS. Returns its https:// URL and how many connections it accepted.
 */
export async function silentServer(
  kind: 'tls' | 'tcp',
): Promise<{ url: string; connections: () => number; fingerprint: string }> {
  sharedCertificate ??= createSelfSignedCertificate()
  const certificate = await sharedCertificate
  const sockets: Socket[] = []
  let connections = 0
  const hold = (socket: Socket) => {
    connections++
    sockets.push(socket)
    socket.on('error', () => {})
  }
  const server =
    kind === 'tls'
      ? createTlsServer({ cert: certificate.cert, key: certificate.key }, hold)
      : createTcpServer(hold)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  servers.push({ server, sockets })
  const { port } = server.address() as { port: number }
  return {
    url: `https://127.0.0.1:${port}`,
    connections: () => connections,
    fingerprint: certificateFingerprint256(certificate.cert),
  }
}

export async function closeAll(): Promise<void> {
  // A test may have closed a client itself already.
  await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)))
  await Promise.all(boards.splice(0).map((board) => board.close()))
  await Promise.all(
    servers.splice(0).map(({ server, sockets }) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const socket of sockets) socket.destroy()
      return closed
    }),
  )
}

/** Polls `check` every 10 ms until it returns a value other than undefined/false. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms: ${check.toString()}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
