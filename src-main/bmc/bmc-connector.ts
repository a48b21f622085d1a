// Hands out one BMC client per saved board, built from the board's address, user, keychain
// password and trusted certificate. A client lives until the board changes. A refused password is
// written to the board row, so it stays refused for every process (app, each CLI run) until the
// user changes it: bmcd bans this computer after five failed logins.
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { BoardService } from '../boards/board-service.ts'
import { BmcClient } from './bmc-client.ts'
import { probeCertificate } from './pinned-tls.ts'

/** Said instead of hardware advice when the virtual board does not answer. */
export const virtualBoardDownHint =
  'The virtual board runs inside Clusterdeck and is not running now: start it on the boards page (Start virtual board), or open the app (npm start) or the loopback host (npm run serve), which start it.'

export class BmcConnector {
  private readonly boards: BoardService
  private readonly timeoutMs: number
  private readonly clients = new Map<string, { version: string; client: BmcClient }>()

  constructor(boards: BoardService, timeoutMs = 15_000) {
    this.boards = boards
    this.timeoutMs = timeoutMs
  }

  async client(boardId: string): Promise<BmcClient> {
    // Every BMC request passes here: read the board row only, the keychain when a client is built.
    const board = this.boards.find(boardId)
    const version = `${board.updatedAt}|${board.address}|${board.certificateSha256}`
    const cached = this.clients.get(board.id)
    if (cached?.version === version) return cached.client
    if (cached) {
      // Requests still running on the old client finish or fail on their own; closing twice is harmless.
      this.clients.delete(board.id)
      cached.client.close().catch(() => undefined)
    }

    if (board.credentialsRefused) {
      throw new AppError(
        board.credentialsRefused.message.includes('blocking') ? 'bmc_locked_out' : 'bmc_auth_failed',
        `Board "${board.name}" refused its saved password on ${board.credentialsRefused.at}; Clusterdeck sends it no more logins until the password is changed. (${board.credentialsRefused.message})`,
        `Enter the password again (the same one is fine once the BMC accepts it): edit the board, or clusterdeck board edit "${board.name}" --password-stdin. After five failed logins the BMC blocks this computer for up to 17 hours.`,
      )
    }
    if (!board.certificateSha256) {
      const presented = await probeCertificate(board.address, this.timeoutMs)
      throw new AppError(
        'bmc_certificate_untrusted',
        `The certificate of board "${board.name}" (${board.address}) is not trusted yet. Its SHA-256 fingerprint is ${presented}.`,
        'BMCs use a self-signed certificate. If this is your board, trust this fingerprint once; Clusterdeck will then refuse any other certificate at this address.',
        { actual: presented },
      )
    }
    const password = await this.boards.password(board.id)
    if (password === null) {
      throw new AppError(
        'bmc_auth_failed',
        `No BMC password is saved for board "${board.name}".`,
        'Edit the board and enter its BMC password.',
      )
    }
    const client = new BmcClient(
      {
        url: board.address,
        username: board.user,
        password,
        fingerprint: board.certificateSha256,
        label: `board "${board.name}"`,
        passwordFix: `Check the user and update the password of board "${board.name}" (Edit board in the app, or clusterdeck board edit "${board.name}" --password-stdin).`,
        ...(board.kind === 'virtual' ? { unreachableHint: virtualBoardDownHint } : {}),
      },
      {
        timeoutMs: this.timeoutMs,
        onCredentialsRefused: (error) => void this.boards.markCredentialsRefused(board.id, error.message),
      },
    )
    this.clients.set(board.id, { version, client })
    return client
  }

  async certificate(boardId: string): Promise<{ presented: string; trusted: string | null }> {
    const board = this.boards.find(boardId)
    return {
      presented: await probeCertificate(board.address, this.timeoutMs),
      trusted: board.certificateSha256,
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map(({ client }) => client.close().catch(() => undefined)))
    this.clients.clear()
  }
}
