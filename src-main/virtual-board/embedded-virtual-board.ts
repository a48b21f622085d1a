// "Try the virtual board": runs one simulated BMC inside the core and saves it as a board, trusted
// and with its credentials in the keychain, so a first-run user without hardware can use every
// screen. It lives as long as the core; its address changes on every start, so the saved board is
// updated each time.
import type { Board } from '../../src-shared/boards/board-schemas.ts'
import type { RequestInput } from '../../src-shared/contract/index.ts'
import type { BoardService } from '../boards/board-service.ts'
import { startVirtualBoard, type VirtualBoard } from './virtual-board-server.ts'

export const virtualBoardName = 'Virtual board'

export class EmbeddedVirtualBoard {
  private readonly boards: BoardService
  private running: Promise<VirtualBoard> | undefined

  constructor(boards: BoardService) {
    this.boards = boards
  }

  async start({ firmware, writeSpeedMBps }: RequestInput<'virtualBoard.start'>): Promise<Board> {
    const speed = (writeSpeedMBps ?? 25) * 1_000_000
    this.running ??= startVirtualBoard({
      firmware: firmware ?? '2.1',
      writeSpeedBytesPerSecond: speed,
      verifySpeedBytesPerSecond: speed * 2,
      bootDelayMs: 1500,
    })
    const board = await this.running
    const saved = (await this.boards.list()).find((b) => b.name === virtualBoardName)
    const settings = {
      address: board.url,
      user: board.credentials.username,
      password: board.credentials.password,
    }
    const updated = saved
      ? await this.boards.update({ id: saved.id, ...settings })
      : await this.boards.add({ name: virtualBoardName, ...settings })
    return this.boards.trustCertificate(updated.id, board.fingerprint256)
  }

  async close(): Promise<void> {
    const board = await this.running?.catch(() => undefined)
    this.running = undefined
    await board?.close()
  }
}
