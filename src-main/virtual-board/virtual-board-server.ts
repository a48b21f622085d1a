// The virtual board: a simulation of a Turing Pi BMC (bmcd) serving the real HTTP API over HTTPS on
// 127.0.0.1, for first-run users without hardware and for every BMC test. See
// /work/shared/reference/turingpi-bmc-api.md for the behaviour imitated here.
//
// Deliberate differences from a real BMC:
// - One HTTPS listener. The real BMC answers the unauthenticated info endpoint (`/info` on FW 2.1,
//   `/api/bmc/info` on 2.0.x) on plain HTTP port 80 only; here it is on the same HTTPS port.
// - Loopback peers do not bypass authentication (on the BMC they do, for tpi running on it): every
//   client of the virtual board is on loopback, and it must behave like a remote board.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import { Authenticator } from './auth.ts'
import type { FlashedImage, NodeInfo, UsbConfig } from './board-state.ts'
import { BoardState, nodeCount } from './board-state.ts'
import type { VirtualBoardCertificate } from './certificate.ts'
import { certificateFingerprint256, createSelfSignedCertificate } from './certificate.ts'
import type { VirtualBoardClock } from './clock.ts'
import { systemClock } from './clock.ts'
import type { FlashContext } from './flash-endpoints.ts'
import { cancelTransfers, flashStatus, handleUpload, startTransfer } from './flash-endpoints.ts'
import type { FlashFault } from './flash-worker.ts'
import type { VirtualFirmware } from './firmware-profiles.ts'
import { firmwareProfile } from './firmware-profiles.ts'
import type { Reply } from './http-reply.ts'
import { emptyReply, enveloped, plainText, sendReply } from './http-reply.ts'
import type { LegacyApiContext } from './legacy-api.ts'
import { handleApiEntry, handleSetNodeInfo, systemInformation } from './legacy-api.ts'
import { parseQuery } from './request-params.ts'
import { createSerialSockets } from './serial-socket.ts'
import type { FlashStatusJson } from './transfer-slot.ts'
import { TransferSlot } from './transfer-slot.ts'
import { decodeUart } from './uart-buffer.ts'
import { ArmbianBoardNodes, type VirtualArmbianNodeHandle } from '../virtual-armbian/armbian-board-nodes.ts'
import { NodeAddresses } from './node-addresses.ts'
import { TalosBoardNodes, type VirtualTalosNodeState } from '../virtual-talos/talos-board-nodes.ts'
import type { VirtualTalosBackends } from '../virtual-talos/virtual-talos-backends.ts'

export type { FlashFault } from './flash-worker.ts'
export type { FlashedImage, NodeInfo, UsbConfig } from './board-state.ts'
export type { VirtualBoardCertificate } from './certificate.ts'
export type { VirtualBoardClock } from './clock.ts'
export type { FlashStatusJson } from './transfer-slot.ts'
export type { VirtualFirmware } from './firmware-profiles.ts'
export type { VirtualTalosNodeState } from '../virtual-talos/talos-board-nodes.ts'
export type { VirtualArmbianNodeHandle } from '../virtual-armbian/armbian-board-nodes.ts'
export type { VirtualTalosBackends } from '../virtual-talos/virtual-talos-backends.ts'

export interface VirtualBoardOptions {
  /** '2.1' behaves like FW 2.1.0 (bmcd 2.3.4, v2.5 board); '2.0.5' like FW 2.0.5 (v2.4 board). */
  firmware: VirtualFirmware
  /** 0 or undefined picks a free port. The board only listens on 127.0.0.1. */
  port?: number
  /** Simulated eMMC write speed; undefined or 0 = unlimited. */
  writeSpeedBytesPerSecond?: number
  /** Simulated CRC read-back speed; undefined or 0 = unlimited. */
  verifySpeedBytesPerSecond?: number
  /** How long after the handle an upload may start; default 10 000 ms as on the BMC. */
  uploadWindowMs?: number
  /** How long a pre-empted upload is held open before its "transfer canceled" answer; default 5000 ms. */
  preemptedUploadReplyMs?: number
  /** Power-on to boot text on the serial console; default 2000 ms. */
  bootDelayMs?: number
  /** How long the board is unreachable after `reboot` or `reload`; default 3000 ms. */
  rebootDurationMs?: number
  /** Default root / turing. */
  username?: string
  password?: string
  /** Sliding bearer-token lifetime; default 3 h. */
  tokenTtlMs?: number
  /** Else a fresh self-signed certificate. */
  certificate?: VirtualBoardCertificate
  /** Drives lockout, token expiry and node uptime; default a monotonic real-time clock. */
  clock?: VirtualBoardClock
  /**
   * What stands behind the board's virtual Talos control planes and the K3s of its virtual
   * Armbian nodes (docs/virtual-board.md).
   */
  talosBackends?: VirtualTalosBackends
}

export interface VirtualNodeSnapshot {
  /** The persisted power state that `get power` reports. */
  power: boolean
  /** Whether the node really runs (a `reset` of an "off" node runs it without persisting). */
  running: boolean
  usbBoot: boolean
  powerOnTime: number | null
  info: NodeInfo
  /** The last flash of this node, whatever its outcome. */
  flashed: FlashedImage | undefined
}

export interface VirtualBoardSnapshot {
  firmware: VirtualFirmware
  nodes: VirtualNodeSnapshot[]
  usb: UsbConfig & { node1AlternativePort: boolean }
  transfer: {
    status: FlashStatusJson
    phase: 'waiting-for-data' | 'writing' | 'verifying' | 'finished' | undefined
    /** Read-back progress; on 2.0.5 it is not visible through the API. */
    verifiedBytes: number | undefined
  }
  firmwareUpload: FlashedImage | undefined
  sessions: number
  /**
   * Test bookkeeping, not bmcd state: login requests and failed ones since the board started
   * (kept across reboots), and the lockout counter (consecutive failures, cleared by a success or a
   * restart) with whether a block is in force.
   */
  auth: { logins: number; failedLogins: number; consecutiveFailures: number; blocked: boolean }
  /** HTTP requests the board has received since it started (test bookkeeping). */
  requests: number
  /** True while the board is rebooting. */
  down: boolean
}

export interface VirtualBoardInspector {
  snapshot(): VirtualBoardSnapshot
  /** The node's serial buffer as text, without draining it. */
  uartText(node: number): string
}

export interface VirtualBoard {
  /** https://127.0.0.1:PORT */
  url: string
  port: number
  firmware: VirtualFirmware
  /** SHA-256 of the leaf certificate's DER, "AA:BB:…" as tls getPeerCertificate().fingerprint256. */
  fingerprint256: string
  certificate: VirtualBoardCertificate
  credentials: { username: string; password: string }
  state: VirtualBoardInspector
  /** Arms a fault for the next transfer started on the board. */
  injectFault(fault: FlashFault): void
  /**
   * What a real board would not show of a node running Talos (0-based index): its API address,
   * mode, version, wiped partitions, bootstraps. Undefined until the node first booted Talos.
   */
  talos: { node(index: number): VirtualTalosNodeState | undefined }
  /**
   * What a real board would not show of a node flashed with Armbian (0-based index): its SSH
   * address, host key fingerprint, files, packages, units, and a hook to fill its NVMe drive.
   * Undefined until the node first booted its Armbian image.
   */
  armbian: { node(index: number): VirtualArmbianNodeHandle | undefined }
  close(): Promise<void>
}

const apiRoot = '/api/bmc'
const maxSmallBodyBytes = 64 * 1024
const virtualNetwork = { ip: '127.0.0.1', mac: '02:54:50:49:32:01' }

export async function startVirtualBoard(options: VirtualBoardOptions): Promise<VirtualBoard> {
  const profile = firmwareProfile(options.firmware)
  const clock = options.clock ?? systemClock
  const certificate = options.certificate ?? (await createSelfSignedCertificate())
  const credentials = { username: options.username ?? 'root', password: options.password ?? 'turing' }
  const rebootDurationMs = options.rebootDurationMs ?? 3000

  const auth = new Authenticator({
    ...credentials,
    tokenTtlMs: options.tokenTtlMs ?? 3 * 60 * 60 * 1000,
    clock,
  })
  const addresses = new NodeAddresses()
  const talos = new TalosBoardNodes(addresses, options.talosBackends)
  const armbian = new ArmbianBoardNodes(addresses, options.talosBackends)
  const board = new BoardState({ clock, bootDelayMs: options.bootDelayMs ?? 2000, talos, armbian })
  const slot = new TransferSlot({
    writeBytesPerSecond: options.writeSpeedBytesPerSecond,
    verifyBytesPerSecond: options.verifySpeedBytesPerSecond,
    verifyResetsBytesWritten: profile.verifyResetsBytesWritten,
  })
  let pendingFault: FlashFault | undefined
  let down = false
  let comeBackTimer: NodeJS.Timeout | undefined

  const flash: FlashContext = {
    board,
    profile,
    slot,
    uploadWindowMs: options.uploadWindowMs ?? 10_000,
    preemptedUploadReplyMs: options.preemptedUploadReplyMs ?? 5000,
    takeFault() {
      const fault = pendingFault
      pendingFault = undefined
      return fault
    },
  }

  let requestCount = 0
  let pendingRestart: 'reboot' | 'reload' | undefined
  const legacy: LegacyApiContext = {
    board,
    profile,
    network: virtualNetwork,
    restart(kind) {
      pendingRestart = kind
    },
  }

  // Everything bmcd keeps in memory is lost; the persisted power state is re-applied on start.
  const goDown = (kind: 'reboot' | 'reload') => {
    down = true
    server.closeAllConnections()
    serial.closeAll()
    slot.reset()
    auth.forgetAll()
    board.clearUartBuffers()
    if (kind === 'reboot') board.haltAll()
    comeBackTimer = setTimeout(() => {
      comeBackTimer = undefined
      down = false
      board.reapplyPersistedPower()
    }, rebootDurationMs)
  }

  const route = async (
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<Reply | 'handled' | 'drop-connection'> => {
    const url = new URL(req.url ?? '/', 'https://virtual-board')
    const path = url.pathname
    const peer = req.socket.remoteAddress ?? 'unknown'

    if (path === profile.infoPath && req.method === 'GET') return enveloped(200, systemInformation(legacy))

    // The auth middleware treats any method on this exact path as a login.
    if (path === `${apiRoot}/authenticate`) {
      const login = auth.login(peer, await readSmallBody(req))
      if (!login.ok) return plainText(403, login.message)
      return { status: 200, body: login.body, headers: { 'X-Auth-Token': login.token } }
    }

    const inApi = path === apiRoot || path.startsWith(`${apiRoot}/`)
    if (inApi || profile.staticFilesNeedAuth) {
      const authorized = auth.authorize(peer, req.headers.authorization)
      if (!authorized.ok)
        return plainText(401, authorized.message, { 'WWW-Authenticate': authorized.challenge })
    }
    if (!inApi) return webUiPage()

    if (path === apiRoot) {
      const query = url.search.slice(1)
      const isFlashType = query.includes('type=flash') || query.includes('type=firmware')
      if (req.method === 'GET' && isFlashType && query.includes('opt=get')) return flashStatus(slot)
      if (req.method === 'GET' && isFlashType && query.includes('opt=set'))
        return startTransfer(flash, parseQuery(query))
      if (req.method === 'GET') return handleApiEntry(legacy, parseQuery(query))
      if (
        req.method === 'POST' &&
        profile.extraTypes &&
        query.includes('opt=set') &&
        query.includes('type=node_info')
      ) {
        return handleSetNodeInfo(board, req.headers['content-type'], await readSmallBody(req))
      }
      return emptyReply(405)
    }

    const upload = /^\/api\/bmc\/upload\/([^/]+)(\/cancel)?$/.exec(path)
    if (upload?.[2] && req.method === 'GET') return cancelTransfers(slot)
    if (upload && !upload[2] && req.method === 'POST') {
      await handleUpload(flash, decodeURIComponent(upload[1]!), req, res)
      return 'handled'
    }
    if (path === `${apiRoot}/backup` && req.method === 'GET') return backupArchive()
    if (path === `${apiRoot}/serial/status` && req.method === 'POST' && profile.extraTypes) {
      return {
        status: 200,
        body: JSON.stringify(Array(nodeCount).fill('Running')),
        headers: { 'Content-Type': 'application/json' },
      }
    }
    return emptyReply(404)
  }

  const server = createServer({ cert: certificate.cert, key: certificate.key }, (req, res) => {
    requestCount++
    if (down) {
      req.socket.destroy()
      return
    }
    route(req, res).then(
      (reply) => {
        if (reply === 'drop-connection') return void req.socket.destroy()
        if (reply !== 'handled') sendReply(res, reply)
        const restart = pendingRestart
        pendingRestart = undefined
        if (restart) res.once('finish', () => goDown(restart))
      },
      (error: unknown) => {
        sendReply(
          res,
          plainText(500, `virtual board failure: ${error instanceof Error ? error.message : String(error)}`),
          {
            close: true,
          },
        )
      },
    )
  })
  // Uploads of whole images at eMMC speed take many minutes.
  server.requestTimeout = 0
  const serial = createSerialSockets({ board, profile, auth, isDown: () => down })
  server.on('upgrade', serial.upgrade)

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port

  const state: VirtualBoardInspector = {
    snapshot() {
      const usb = board.usb
      const transfer = slot.current
      return {
        firmware: profile.firmware,
        nodes: Array.from({ length: nodeCount }, (_, node) => ({
          power: board.desiredPower(node),
          running: board.isRunning(node),
          usbBoot: board.usbBoot(node),
          powerOnTime: board.powerOnTime(node),
          info: board.nodeInfo(node),
          flashed: board.flashed(node),
        })),
        usb: { ...usb, node1AlternativePort: board.node1AlternativePort },
        transfer: { status: slot.status(), phase: transfer?.phase, verifiedBytes: transfer?.verifiedBytes },
        firmwareUpload: board.firmwareUpload && { ...board.firmwareUpload },
        sessions: auth.sessionCount,
        auth: {
          logins: auth.loginCounts.attempts,
          failedLogins: auth.loginCounts.failed,
          consecutiveFailures: auth.lockout().failures,
          blocked: auth.lockout().blocked,
        },
        requests: requestCount,
        down,
      }
    },
    uartText(node) {
      return decodeUart(board.uart(node).read({ drain: false }), 'utf8')
    },
  }

  return {
    url: `https://127.0.0.1:${port}`,
    port,
    firmware: profile.firmware,
    fingerprint256: certificateFingerprint256(certificate.cert),
    certificate,
    credentials,
    state,
    injectFault(fault) {
      pendingFault = fault
    },
    talos: { node: (index) => talos.state(index) },
    armbian: { node: (index) => armbian.node(index) },
    async close() {
      clearTimeout(comeBackTimer)
      slot.reset()
      board.dispose()
      await talos.close()
      await armbian.close()
      await addresses.close()
      serial.closeAll()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      await closed
    },
  }
}

async function readSmallBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > maxSmallBodyBytes) throw new Error(`request body larger than ${maxSmallBodyBytes} bytes`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

/** The BMC's web UI is not part of the simulation; a page says what this is. */
function webUiPage(): Reply {
  const body =
    '<!doctype html><html><head><meta charset="utf-8"><title>Turing Pi BMC (virtual)</title></head>' +
    '<body><h1>Virtual Turing Pi BMC</h1><p>This simulated board serves the BMC API under /api/bmc only.</p></body></html>'
  return { status: 200, body, headers: { 'Content-Type': 'text/html; charset=utf-8' } }
}

/** `GET /api/bmc/backup`: the overlay of a virtual BMC is empty, so an empty tar, gzipped. */
function backupArchive(): Reply {
  const now = new Date()
  const pad = (value: number) => String(value).padStart(2, '0')
  const date = `${pad(now.getDate())}-${pad(now.getMonth() + 1)}-${now.getFullYear()}`
  return {
    status: 200,
    body: gzipSync(Buffer.alloc(1024), { level: 9 }),
    headers: {
      'Content-Type': 'application/gzip',
      'Content-Disposition': `attachment; filename="tp2-backup-${date}.tar.gz"`,
    },
  }
}
