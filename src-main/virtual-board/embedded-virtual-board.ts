// The virtual board the app runs itself: one simulated BMC inside the core, saved as a board of
// kind "virtual" so a user without hardware can use every screen. It is a board like any other to
// the rest of the core, except that Clusterdeck owns its lifecycle:
// - it starts with the app (or the loopback host) whenever one is saved, and can be started and
//   stopped from the boards page at any time;
// - its TLS identity is kept in the data directory (virtual-board/), so the pinned fingerprint
//   holds across restarts; its port is the last one when that is free, else the saved address
//   follows the new one;
// - its password is the simulation's, never in the keychain (it works without one).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Board } from '../../src-shared/boards/board-schemas.ts'
import type { RequestInput } from '../../src-shared/contract/index.ts'
import type { VirtualBoardStatus } from '../../src-shared/contract/virtual-board.ts'
import { virtualFirmwareSchema } from '../../src-shared/contract/virtual-board.ts'
import type { BoardService } from '../boards/board-service.ts'
import type { EventBus } from '../core/event-bus.ts'
import { virtualBoardCredentials } from './virtual-board-credentials.ts'
import type { VirtualBoard, VirtualBoardCertificate } from './virtual-board-server.ts'

export const virtualBoardName = 'Virtual board'

interface Settings {
  firmware: VirtualBoardStatus['firmware']
  writeSpeedMBps: number
  port: number
}

const defaultSettings: Settings = { firmware: '2.1', writeSpeedMBps: 25, port: 0 }

interface Running {
  settings: string
  board: Promise<VirtualBoard>
}

export class EmbeddedVirtualBoard {
  private readonly boards: BoardService
  private readonly events: EventBus
  private readonly dir: string
  private running: Running | undefined

  constructor(boards: BoardService, events: EventBus, dataDir: string) {
    this.boards = boards
    this.events = events
    this.dir = join(dataDir, 'virtual-board')
  }

  /** At launch: the saved virtual board comes back; with no board saved at all, one is made. */
  async startOnLaunch(): Promise<Board | undefined> {
    if (this.boards.findKind('virtual') || (await this.boards.list()).length === 0) return this.start({})
    return undefined
  }

  async start(input: RequestInput<'virtualBoard.start'>): Promise<Board> {
    const saved = this.readSettings()
    const firmware = input.firmware ?? saved.firmware
    const writeSpeedMBps = input.writeSpeedMBps ?? saved.writeSpeedMBps
    const settings = `${firmware}@${writeSpeedMBps}`
    if (this.running?.settings !== settings) {
      await this.stopServer()
      this.running = { settings, board: this.launch(firmware, writeSpeedMBps, saved.port) }
    }
    let virtual: VirtualBoard
    try {
      virtual = await this.running!.board
    } catch (error) {
      this.running = undefined
      throw error
    }
    this.writeSettings({ firmware, writeSpeedMBps, port: virtual.port })
    const board = await this.saveBoard(virtual)
    this.events.emit('virtualBoard.changed', this.statusOf(virtual, board.id, firmware, writeSpeedMBps))
    return board
  }

  async stop(): Promise<VirtualBoardStatus> {
    await this.stopServer()
    const status = await this.status()
    this.events.emit('virtualBoard.changed', status)
    return status
  }

  async status(): Promise<VirtualBoardStatus> {
    const settings = this.readSettings()
    const virtual = await this.running?.board.catch(() => undefined)
    return this.statusOf(
      virtual,
      this.boards.findKind('virtual')?.id ?? null,
      settings.firmware,
      settings.writeSpeedMBps,
    )
  }

  async close(): Promise<void> {
    await this.stopServer()
  }

  private statusOf(
    virtual: VirtualBoard | undefined,
    boardId: string | null,
    firmware: VirtualBoardStatus['firmware'],
    writeSpeedMBps: number,
  ): VirtualBoardStatus {
    return { running: virtual !== undefined, boardId, url: virtual?.url ?? null, firmware, writeSpeedMBps }
  }

  private async launch(
    firmware: Settings['firmware'],
    writeSpeedMBps: number,
    port: number,
  ): Promise<VirtualBoard> {
    // Loaded on first use: the simulation (and its certificate generator) is not needed otherwise.
    const { startVirtualBoard } = await import('./virtual-board-server.ts')
    const { backendsFromEnv } = await import('../virtual-talos/loopback-backends.ts')
    const speed = writeSpeedMBps * 1_000_000
    const options = {
      firmware,
      talosBackends: await backendsFromEnv(),
      writeSpeedBytesPerSecond: speed,
      verifySpeedBytesPerSecond: speed * 2,
      bootDelayMs: 1500,
      ...virtualBoardCredentials,
      certificate: await this.certificate(),
    }
    if (port === 0) return startVirtualBoard(options)
    // The last port keeps the saved address (and what the user wrote down) valid; when another
    // program has taken it, any free port will do and the saved board follows.
    return startVirtualBoard({ ...options, port }).catch(() => startVirtualBoard(options))
  }

  private async saveBoard(virtual: VirtualBoard): Promise<Board> {
    const saved = this.boards.findKind('virtual')
    if (!saved) {
      return this.boards.addVirtual({
        name: this.freeName(),
        address: virtual.url,
        user: virtual.credentials.username,
        certificateSha256: virtual.fingerprint256,
      })
    }
    if (saved.address === virtual.url && saved.certificateSha256 === virtual.fingerprint256) {
      return this.boards.get(saved.id)
    }
    return this.boards.relocateVirtual(saved.id, virtual.url, virtual.fingerprint256)
  }

  /** "Virtual board", unless the user gave that name to a board of their own. */
  private freeName(): string {
    for (let n = 1; ; n++) {
      const name = n === 1 ? virtualBoardName : `${virtualBoardName} ${n}`
      try {
        this.boards.find(name)
      } catch {
        return name
      }
    }
  }

  /** The board's TLS identity, made once and kept (key readable by this user only). */
  private async certificate(): Promise<VirtualBoardCertificate> {
    const certPath = join(this.dir, 'certificate.pem')
    const keyPath = join(this.dir, 'key.pem')
    if (existsSync(certPath) && existsSync(keyPath)) {
      return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') }
    }
    const { createSelfSignedCertificate } = await import('./certificate.ts')
    const created = await createSelfSignedCertificate()
    mkdirSync(this.dir, { recursive: true, mode: 0o700 })
    writeFileSync(keyPath, created.key, { mode: 0o600 })
    writeFileSync(certPath, created.cert)
    return created
  }

  private readSettings(): Settings {
    try {
      const parsed = JSON.parse(readFileSync(join(this.dir, 'settings.json'), 'utf8')) as Partial<Settings>
      return {
        firmware: virtualFirmwareSchema.catch(defaultSettings.firmware).parse(parsed.firmware),
        writeSpeedMBps:
          typeof parsed.writeSpeedMBps === 'number' && parsed.writeSpeedMBps >= 0
            ? parsed.writeSpeedMBps
            : defaultSettings.writeSpeedMBps,
        port: Number.isInteger(parsed.port) && parsed.port! > 0 && parsed.port! < 65_536 ? parsed.port! : 0,
      }
    } catch {
      return defaultSettings
    }
  }

  private writeSettings(settings: Settings): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 })
    writeFileSync(join(this.dir, 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`)
  }

  private async stopServer(): Promise<void> {
    const running = this.running
    this.running = undefined
    const board = await running?.board.catch(() => undefined)
    await board?.close()
  }
}
