// Board registration: the row in SQLite and the password in the keychain change together, or not
// at all. The password never leaves this module except into the SecretStore. The keychain is asked
// whether a password is there once per board and the answer kept in the row (password_saved), so
// listing boards costs no keychain call: a Secret Service is slow, and may hang.
import { randomUUID } from 'node:crypto'
import type { z } from 'zod'
import type { addBoardInputSchema, updateBoardInputSchema } from '../../src-shared/boards/board-schemas.ts'
import { type Board, type BoardKind } from '../../src-shared/boards/board-schemas.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { EventBus } from '../core/event-bus.ts'
import { boardPasswordAccount, type SecretStore } from '../secrets/secret-store.ts'
import type { BoardRepository, StoredBoard } from './board-repository.ts'

type AddBoard = z.output<typeof addBoardInputSchema>
type UpdateBoard = z.output<typeof updateBoardInputSchema>

export interface BoardServiceOptions {
  now?: () => Date
  /** The password of the virtual board: the simulation's, kept with it rather than in the keychain. */
  virtualBoardPassword?: string
}

export class BoardService {
  private readonly repository: BoardRepository
  private readonly secrets: SecretStore
  private readonly events: EventBus
  private readonly now: () => Date
  private readonly virtualBoardPassword: string | undefined
  /** One keychain pass at a time for boards whose password state is not known yet. */
  private lookingUp: Promise<void> | undefined

  constructor(
    repository: BoardRepository,
    secrets: SecretStore,
    events: EventBus,
    options: BoardServiceOptions = {},
  ) {
    this.repository = repository
    this.secrets = secrets
    this.events = events
    this.now = options.now ?? (() => new Date())
    this.virtualBoardPassword = options.virtualBoardPassword
  }

  async list(): Promise<Board[]> {
    await this.learnPasswordStates()
    return this.repository.list().map(toBoard)
  }

  async get(ref: string): Promise<Board> {
    const board = this.resolve(ref)
    if (board.passwordSaved === null && board.kind === 'bmc') {
      await this.learnPasswordStates()
      return toBoard(this.byId(board.id))
    }
    return toBoard(board)
  }

  /** The saved board without asking the keychain whether its password is there (for hot paths). */
  find(ref: string): StoredBoard {
    return this.resolve(ref)
  }

  /** The stored BMC password of a board, for the core's own BMC calls; never sent to a client. */
  async password(boardId: string): Promise<string | null> {
    const board = this.byId(boardId)
    if (board.kind === 'virtual') return this.virtualBoardPassword ?? null
    const password = await this.secrets.get(boardPasswordAccount(boardId))
    // The keychain may have changed behind our back (an entry deleted in Seahorse, say).
    if ((password !== null) !== board.passwordSaved)
      this.repository.setPasswordSaved(boardId, password !== null)
    return password
  }

  async add(input: AddBoard): Promise<Board> {
    this.assertNameFree(input.name)
    const board = this.newBoard('bmc', input)
    const account = boardPasswordAccount(board.id)
    await this.secrets.set(account, input.password)
    try {
      this.repository.insert({ ...board, passwordSaved: true })
    } catch (error) {
      await this.secrets.delete(account)
      throw error
    }
    await this.announce()
    return toBoard(this.byId(board.id))
  }

  /** Saves the virtual board (no keychain entry: its password is the simulation's). */
  async addVirtual(input: {
    name: string
    address: string
    user: string
    certificateSha256: string
  }): Promise<Board> {
    this.assertNameFree(input.name)
    const board = this.newBoard('virtual', input)
    this.repository.insert(board)
    await this.announce()
    return toBoard(board)
  }

  /** The first saved board of a kind (there is at most one virtual board). */
  findKind(kind: BoardKind): StoredBoard | undefined {
    return this.repository.findByKind(kind)
  }

  async update(input: UpdateBoard): Promise<Board> {
    const current = this.byId(input.id)
    if (input.name !== undefined && input.name.toLowerCase() !== current.name.toLowerCase()) {
      this.assertNameFree(input.name)
    }
    if (current.kind === 'virtual' && input.password !== undefined) {
      throw new AppError(
        'invalid_input',
        `The password of "${current.name}" belongs to the virtual board Clusterdeck runs; it cannot be changed.`,
        'Change the name if you like; the address follows the virtual board by itself.',
      )
    }
    const addressChanged = input.address !== undefined && input.address !== current.address
    const next: StoredBoard = {
      ...current,
      name: input.name ?? current.name,
      address: input.address ?? current.address,
      user: input.user ?? current.user,
      // Another address may be another BMC: its certificate must be trusted anew.
      certificateSha256: addressChanged ? null : current.certificateSha256,
      // New credentials (or another BMC) deserve one more login.
      credentialsRefused:
        input.password !== undefined ||
        addressChanged ||
        (input.user !== undefined && input.user !== current.user)
          ? null
          : current.credentialsRefused,
      passwordSaved: input.password !== undefined ? true : current.passwordSaved,
      updatedAt: this.now().toISOString(),
    }
    const account = boardPasswordAccount(current.id)
    const previousPassword = input.password === undefined ? undefined : await this.secrets.get(account)
    if (input.password !== undefined) await this.secrets.set(account, input.password)
    try {
      this.repository.update(next)
    } catch (error) {
      if (input.password !== undefined) await this.restore(account, previousPassword ?? null)
      throw error
    }
    await this.announce()
    return toBoard(next)
  }

  async trustCertificate(id: string, certificateSha256: string): Promise<Board> {
    const next = { ...this.byId(id), certificateSha256, updatedAt: this.now().toISOString() }
    this.repository.update(next)
    await this.announce()
    return toBoard(next)
  }

  /** The virtual board moved (another port, a new certificate): follow it without asking anyone. */
  async relocateVirtual(id: string, address: string, certificateSha256: string): Promise<Board> {
    const next = {
      ...this.byId(id),
      address,
      certificateSha256,
      credentialsRefused: null,
      updatedAt: this.now().toISOString(),
    }
    this.repository.update(next)
    await this.announce()
    return toBoard(next)
  }

  /**
   * The BMC refused the saved credentials or banned this computer: remembered in the row, so no
   * process (app or CLI) sends another login until the password is changed.
   */
  async markCredentialsRefused(id: string, message: string): Promise<void> {
    if (!this.repository.findById(id)) return
    this.repository.setCredentialsRefused(id, { at: this.now().toISOString(), message })
    await this.announce()
  }

  async remove(id: string): Promise<{ id: string; name: string }> {
    const board = this.byId(id)
    if (board.kind === 'virtual') {
      this.repository.delete(board.id)
      await this.announce()
      return { id: board.id, name: board.name }
    }
    const account = boardPasswordAccount(board.id)
    const previousPassword = await this.secrets.get(account)
    await this.secrets.delete(account)
    try {
      this.repository.delete(board.id)
    } catch (error) {
      await this.restore(account, previousPassword)
      throw error
    }
    await this.announce()
    return { id: board.id, name: board.name }
  }

  private newBoard(
    kind: BoardKind,
    input: { name: string; address: string; user: string; certificateSha256?: string | undefined },
  ): StoredBoard {
    const timestamp = this.now().toISOString()
    return {
      id: randomUUID(),
      kind,
      name: input.name,
      address: input.address,
      user: input.user,
      certificateSha256: input.certificateSha256 ?? null,
      createdAt: timestamp,
      updatedAt: timestamp,
      passwordSaved: null,
      credentialsRefused: null,
    }
  }

  /**
   * Asks the keychain, one board after another, about boards not asked before, and keeps the
   * answers. Concurrent callers share the pass; a keychain that fails leaves the state unknown
   * (shown as no password) and is asked again next time.
   */
  private learnPasswordStates(): Promise<void> {
    const unknown = this.repository
      .list()
      .filter((board) => board.kind === 'bmc' && board.passwordSaved === null)
    if (unknown.length === 0) return Promise.resolve()
    this.lookingUp ??= (async () => {
      try {
        for (const board of unknown) {
          const password = await this.secrets.get(boardPasswordAccount(board.id))
          this.repository.setPasswordSaved(board.id, password !== null)
        }
      } catch {
        // Reported where a password is needed (and by the keychain notice); listing still works.
      } finally {
        this.lookingUp = undefined
      }
    })()
    return this.lookingUp
  }

  private async restore(account: string, password: string | null): Promise<void> {
    if (password === null) await this.secrets.delete(account)
    else await this.secrets.set(account, password)
  }

  private resolve(ref: string): StoredBoard {
    const board = this.repository.findById(ref) ?? this.repository.findByName(ref)
    if (!board) throw notFound(ref)
    return board
  }

  private byId(id: string): StoredBoard {
    const board = this.repository.findById(id)
    if (!board) throw notFound(id)
    return board
  }

  private assertNameFree(name: string): void {
    const existing = this.repository.findByName(name)
    if (existing) {
      throw new AppError(
        'conflict',
        `A board named "${existing.name}" already exists.`,
        'Choose another name, or edit the existing board.',
      )
    }
  }

  private async announce(): Promise<void> {
    this.events.emit('boards.changed', { boards: await this.list() })
  }
}

function toBoard({ passwordSaved, ...board }: StoredBoard): Board {
  return { ...board, hasPassword: board.kind === 'virtual' || passwordSaved === true }
}

function notFound(ref: string): AppError {
  return new AppError('not_found', `No board "${ref}" is saved.`, 'List the saved boards to see their names.')
}
