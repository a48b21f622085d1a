// Board registration: the row in SQLite and the password in the keychain change together, or not
// at all. The password never leaves this module except into the SecretStore.
import { randomUUID } from 'node:crypto'
import type { z } from 'zod'
import type { addBoardInputSchema, updateBoardInputSchema } from '../../src-shared/boards/board-schemas.ts'
import { type Board } from '../../src-shared/boards/board-schemas.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { EventBus } from '../core/event-bus.ts'
import { boardPasswordAccount, type SecretStore } from '../secrets/secret-store.ts'
import type { BoardRepository, StoredBoard } from './board-repository.ts'

type AddBoard = z.output<typeof addBoardInputSchema>
type UpdateBoard = z.output<typeof updateBoardInputSchema>

export class BoardService {
  private readonly repository: BoardRepository
  private readonly secrets: SecretStore
  private readonly events: EventBus
  private readonly now: () => Date

  constructor(repository: BoardRepository, secrets: SecretStore, events: EventBus, now = () => new Date()) {
    this.repository = repository
    this.secrets = secrets
    this.events = events
    this.now = now
  }

  async list(): Promise<Board[]> {
    return Promise.all(this.repository.list().map((board) => this.withPasswordState(board)))
  }

  async get(ref: string): Promise<Board> {
    return this.withPasswordState(this.resolve(ref))
  }

  /** The saved board without asking the keychain whether its password is there (for hot paths). */
  find(ref: string): StoredBoard {
    return this.resolve(ref)
  }

  /** The stored BMC password of a board, for the core's own BMC calls; never sent to a client. */
  async password(boardId: string): Promise<string | null> {
    return this.secrets.get(boardPasswordAccount(boardId))
  }

  async add(input: AddBoard): Promise<Board> {
    this.assertNameFree(input.name)
    const timestamp = this.now().toISOString()
    const board: StoredBoard = {
      id: randomUUID(),
      name: input.name,
      address: input.address,
      user: input.user,
      certificateSha256: input.certificateSha256 ?? null,
      createdAt: timestamp,
      updatedAt: timestamp,
    }
    const account = boardPasswordAccount(board.id)
    await this.secrets.set(account, input.password)
    try {
      this.repository.insert(board)
    } catch (error) {
      await this.secrets.delete(account)
      throw error
    }
    await this.announce()
    return { ...board, hasPassword: true }
  }

  async update(input: UpdateBoard): Promise<Board> {
    const current = this.byId(input.id)
    if (input.name !== undefined && input.name.toLowerCase() !== current.name.toLowerCase()) {
      this.assertNameFree(input.name)
    }
    const next: StoredBoard = {
      ...current,
      name: input.name ?? current.name,
      address: input.address ?? current.address,
      user: input.user ?? current.user,
      // Another address may be another BMC: its certificate must be trusted anew.
      certificateSha256:
        input.address !== undefined && input.address !== current.address ? null : current.certificateSha256,
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
    return this.withPasswordState(next)
  }

  async trustCertificate(id: string, certificateSha256: string): Promise<Board> {
    const next = { ...this.byId(id), certificateSha256, updatedAt: this.now().toISOString() }
    this.repository.update(next)
    await this.announce()
    return this.withPasswordState(next)
  }

  async remove(id: string): Promise<{ id: string; name: string }> {
    const board = this.byId(id)
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

  private async withPasswordState(board: StoredBoard): Promise<Board> {
    const password = await this.secrets.get(boardPasswordAccount(board.id)).catch(() => null)
    return { ...board, hasPassword: password !== null }
  }

  private async announce(): Promise<void> {
    this.events.emit('boards.changed', { boards: await this.list() })
  }
}

function notFound(ref: string): AppError {
  return new AppError('not_found', `No board "${ref}" is saved.`, 'List the saved boards to see their names.')
}
