import { beforeEach, afterEach, describe, expect, it } from 'vitest'
import { addBoardInputSchema } from '../../src-shared/boards/board-schemas.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { MemorySecretStore } from '../../tests/support/memory-secret-store.ts'
import { makeTempDir } from '../../tests/support/temp-dir.ts'
import { EventBus } from '../core/event-bus.ts'
import { boardPasswordAccount } from '../secrets/secret-store.ts'
import { openDatabase, type Db } from '../store/database.ts'
import { BoardRepository } from './board-repository.ts'
import { BoardService } from './board-service.ts'

let dir: ReturnType<typeof makeTempDir>
let db: Db
let secrets: MemorySecretStore
let repository: BoardRepository
let service: BoardService
let events: Array<{ name: string; payload: unknown }>

const rack1 = addBoardInputSchema.parse({
  name: 'rack-1',
  address: '10.0.0.5',
  user: 'root',
  password: 'turing',
})

beforeEach(() => {
  dir = makeTempDir()
  db = openDatabase(dir.path)
  secrets = new MemorySecretStore()
  repository = new BoardRepository(db)
  const bus = new EventBus()
  events = []
  bus.onAny((name, payload) => events.push({ name, payload }))
  service = new BoardService(repository, secrets, bus)
})

afterEach(() => {
  db.close()
  dir.remove()
})

async function expectAppError(promise: Promise<unknown>, code: string, message: RegExp) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AppError)
  expect((error as AppError).code).toBe(code)
  expect((error as AppError).message).toMatch(message)
}

describe('BoardService', () => {
  it('keeps the password in the secret store and only the board in SQLite', async () => {
    const board = await service.add(rack1)
    expect(board).toMatchObject({
      name: 'rack-1',
      address: 'https://10.0.0.5',
      user: 'root',
      hasPassword: true,
    })
    expect(secrets.secrets.get(boardPasswordAccount(board.id))).toBe('turing')
    const row = db.prepare('SELECT * FROM boards').get() as Record<string, string>
    expect(Object.values(row)).not.toContain('turing')
    expect(await service.password(board.id)).toBe('turing')
  })

  it('announces every change with the new list', async () => {
    const board = await service.add(rack1)
    await service.update({ id: board.id, name: 'rack-2' })
    await service.remove(board.id)
    expect(events.map((e) => e.name)).toEqual(['boards.changed', 'boards.changed', 'boards.changed'])
    expect(events[1]!.payload).toMatchObject({ boards: [{ name: 'rack-2' }] })
    expect(events[2]!.payload).toEqual({ boards: [] })
  })

  it('refuses a duplicate name, whatever its case, and changes nothing', async () => {
    await service.add(rack1)
    await expectAppError(
      service.add({ ...rack1, name: 'RACK-1', password: 'other' }),
      'conflict',
      /already exists/,
    )
    expect(await service.list()).toHaveLength(1)
    expect([...secrets.secrets.values()]).toEqual(['turing'])
  })

  it('saves nothing when the keychain refuses the password', async () => {
    secrets.failNext = 'set'
    await expectAppError(service.add(rack1), 'secrets_unavailable', /refused/)
    expect(await service.list()).toEqual([])
    expect(events).toEqual([])
  })

  it('takes the password back out of the keychain when the database write fails', async () => {
    db.exec("CREATE TRIGGER no_inserts BEFORE INSERT ON boards BEGIN SELECT RAISE(FAIL, 'disk full'); END")
    await expect(service.add(rack1)).rejects.toThrow('disk full')
    expect(secrets.secrets.size).toBe(0)
  })

  it('finds boards by id or by name, case-insensitively', async () => {
    const board = await service.add(rack1)
    expect((await service.get(board.id)).name).toBe('rack-1')
    expect((await service.get('Rack-1')).id).toBe(board.id)
    await expectAppError(service.get('nope'), 'not_found', /No board "nope"/)
  })

  it('updates only the fields given, and renames to a free name only', async () => {
    const board = await service.add(rack1)
    await service.add({ ...rack1, name: 'rack-2' })
    const updated = await service.update({ id: board.id, address: 'https://10.0.0.9:8443' })
    expect(updated).toMatchObject({ name: 'rack-1', address: 'https://10.0.0.9:8443', user: 'root' })
    expect(await service.password(board.id)).toBe('turing')
    await expectAppError(service.update({ id: board.id, name: 'RACK-2' }), 'conflict', /already exists/)
    expect((await service.update({ id: board.id, name: 'RACK-1' })).name).toBe('RACK-1')
  })

  it('restores the old password when the database refuses an update', async () => {
    const board = await service.add(rack1)
    db.exec("CREATE TRIGGER no_updates BEFORE UPDATE ON boards BEGIN SELECT RAISE(FAIL, 'locked'); END")
    await expect(service.update({ id: board.id, password: 'new-one' })).rejects.toThrow('locked')
    expect(await service.password(board.id)).toBe('turing')
  })

  it('removes the keychain entry with the board, and keeps both when the keychain refuses', async () => {
    const board = await service.add(rack1)
    secrets.failNext = 'delete'
    await expectAppError(service.remove(board.id), 'secrets_unavailable', /refused/)
    expect(await service.list()).toHaveLength(1)
    expect(await service.password(board.id)).toBe('turing')

    expect(await service.remove(board.id)).toEqual({ id: board.id, name: 'rack-1' })
    expect(await service.list()).toEqual([])
    expect(secrets.secrets.size).toBe(0)
  })

  it('learns that a keychain entry vanished when the password is needed, and shows it from then on', async () => {
    const board = await service.add(rack1)
    secrets.secrets.clear()
    expect(await service.password(board.id)).toBeNull()
    expect((await service.get(board.id)).hasPassword).toBe(false)
  })

  it('asks the keychain about a board once, however often and however concurrently boards are listed', async () => {
    const board = await service.add(rack1)
    // A board saved before the state was kept (an older database): not known yet.
    db.prepare('UPDATE boards SET password_saved = NULL WHERE id = ?').run(board.id)
    secrets.reads = 0
    const lists = await Promise.all(Array.from({ length: 500 }, () => service.list()))
    expect(lists.every((list) => list[0]!.hasPassword)).toBe(true)
    expect(secrets.reads).toBe(1)
    await service.list()
    await service.get('rack-1')
    expect(secrets.reads).toBe(1)
  })

  it('lists boards while the keychain fails, and asks again next time', async () => {
    const board = await service.add(rack1)
    db.prepare('UPDATE boards SET password_saved = NULL WHERE id = ?').run(board.id)
    secrets.failNext = 'get'
    expect((await service.list())[0]!.hasPassword).toBe(false)
    expect((await service.list())[0]!.hasPassword).toBe(true)
  })

  it('keeps a refused password refused until the password, user or address changes', async () => {
    const board = await service.add(rack1)
    await service.markCredentialsRefused(board.id, 'The BMC refused the user "root".')
    expect((await service.get(board.id)).credentialsRefused).toMatchObject({ message: /refused/ })
    expect((await service.update({ id: board.id, name: 'rack-a' })).credentialsRefused).not.toBeNull()
    expect((await service.update({ id: board.id, password: 'turing' })).credentialsRefused).toBeNull()
    await service.markCredentialsRefused(board.id, 'refused again')
    expect((await service.update({ id: board.id, user: 'admin' })).credentialsRefused).toBeNull()
  })

  it('keeps the virtual board out of the keychain', async () => {
    const virtual = new BoardService(repository, secrets, new EventBus(), { virtualBoardPassword: 'sim' })
    const board = await virtual.addVirtual({
      name: 'Virtual board',
      address: 'https://127.0.0.1:4443',
      user: 'root',
      certificateSha256: 'AA:BB',
    })
    expect(board).toMatchObject({ kind: 'virtual', hasPassword: true })
    expect(secrets.secrets.size).toBe(0)
    expect(await virtual.password(board.id)).toBe('sim')
    await expectAppError(
      virtual.update({ id: board.id, password: 'other' }),
      'invalid_input',
      /virtual board/,
    )
    await virtual.remove(board.id)
    expect(await virtual.list()).toEqual([])
  })
})
