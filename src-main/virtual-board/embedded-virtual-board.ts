// "Try the virtual board": runs one simulated BMC inside the core and saves it as a board, trusted
// and with its credentials in the keychain, so a first-run user without hardware can use every
// screen. It lives as long as the core. Asking again with other settings restarts it; its address
// and certificate change with every start, so the saved board is updated then (and only then).
import type { Board } from '../../src-shared/boards/board-schemas.ts'
import type { RequestInput } from '../../src-shared/contract/index.ts'
import type { BoardService } from '../boards/board-service.ts'
import type { VirtualBoard } from './virtual-board-server.ts'

export const virtualBoardName = 'Virtual board'

interface Running {
  settings: string
  board: Promise<VirtualBoard>
}

export class EmbeddedVirtualBoard {
  private readonly boards: BoardService
  private running: Running | undefined

  constructor(boards: BoardService) {
    this.boards = boards
  }

  async start({ firmware = '2.1', writeSpeedMBps = 25 }: RequestInput<'virtualBoard.start'>): Promise<Board> {
    const settings = `${firmware}@${writeSpeedMBps}`
    if (this.running?.settings !== settings) {
      await this.close()
      const speed = writeSpeedMBps * 1_000_000
      this.running = {
        settings,
        // Loaded on first use: the simulation (and its certificate generator) is not needed otherwise.
        board: import('./virtual-board-server.ts').then(({ startVirtualBoard }) =>
          startVirtualBoard({
            firmware,
            writeSpeedBytesPerSecond: speed,
            verifySpeedBytesPerSecond: speed * 2,
            bootDelayMs: 1500,
          }),
        ),
      }
    }
    const virtual = await this.running!.board
    const saved = (await this.boards.list()).find((board) => board.name === virtualBoardName)
    if (saved && saved.address === virtual.url && saved.certificateSha256 === virtual.fingerprint256)
      return saved
    const connection = {
      address: virtual.url,
      user: virtual.credentials.username,
      password: virtual.credentials.password,
    }
    const board = saved
      ? await this.boards.update({ id: saved.id, ...connection })
      : await this.boards.add({ name: virtualBoardName, ...connection })
    return this.boards.trustCertificate(board.id, virtual.fingerprint256)
  }

  async close(): Promise<void> {
    const running = this.running
    this.running = undefined
    const board = await running?.board.catch(() => undefined)
    await board?.close()
  }
}
