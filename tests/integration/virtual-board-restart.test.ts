// The built-in virtual board across restarts of the core (as the app and the loopback host start
// it): the same certificate from the data directory, the same port when free, the saved address
// following it when not, start and stop at any time, and errors that never give hardware advice.
import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { probeCertificate } from '../../src-main/bmc/pinned-tls.ts'
import { createAppCore, type AppCore } from '../../src-main/core/app-core.ts'
import { startVirtualBoardOnLaunch } from '../../src-main/core/first-run.ts'
import { KeyringSecretStore } from '../../src-main/secrets/keyring-secret-store.ts'
import type { Board } from '../../src-shared/boards/board-schemas.ts'
import type { RequestInput, RequestName, RequestOutput } from '../../src-shared/contract/index.ts'
import { makeTempDir } from '../support/temp-dir.ts'

let home: ReturnType<typeof makeTempDir>
const service = `clusterdeck-test-${randomUUID()}`

beforeAll(() => {
  home = makeTempDir()
})
afterAll(() => home.remove())

function launch(): AppCore {
  return createAppCore({
    dataDir: home.path,
    secrets: new KeyringSecretStore(service),
    transport: 'websocket',
  })
}

async function call<N extends RequestName>(core: AppCore, name: N, input: RequestInput<N>) {
  const result = await core.dispatch(name, input)
  if (!result.ok) throw Object.assign(new Error(result.error.message), result.error)
  return result.value as RequestOutput<N>
}

async function savedVirtualBoard(core: AppCore): Promise<Board> {
  const boards = await call(core, 'boards.list', {})
  expect(boards.filter((board) => board.kind === 'virtual')).toHaveLength(1)
  return boards.find((board) => board.kind === 'virtual')!
}

describe('the virtual board across restarts', () => {
  let first: Board

  it('starts on the first launch and answers with the saved certificate', async () => {
    const core = launch()
    try {
      expect(await startVirtualBoardOnLaunch(core)).toBeUndefined()
      first = await savedVirtualBoard(core)
      expect(first).toMatchObject({ name: 'Virtual board', hasPassword: true, credentialsRefused: null })
      expect(await probeCertificate(first.address, 5000)).toBe(first.certificateSha256)
      await call(core, 'bmc.power', { boardId: first.id, target: 1, action: 'on' })
    } finally {
      await core.close()
    }
  })

  it('comes back after a restart at the same address with the same fingerprint', async () => {
    const core = launch()
    try {
      await startVirtualBoardOnLaunch(core)
      const again = await savedVirtualBoard(core)
      expect(again).toMatchObject({
        id: first.id,
        address: first.address,
        certificateSha256: first.certificateSha256,
      })
      expect(await probeCertificate(again.address, 5000)).toBe(first.certificateSha256)
      const status = await call(core, 'bmc.status', { boardId: again.id })
      expect(status.nodes).toHaveLength(4)
    } finally {
      await core.close()
    }
  })

  it('moves to a free port when its own is taken, and the saved board follows', async () => {
    const port = Number(new URL(first.address).port)
    const squatter: Server = createServer()
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve))
    const core = launch()
    try {
      await startVirtualBoardOnLaunch(core)
      const moved = await savedVirtualBoard(core)
      expect(moved.id).toBe(first.id)
      expect(moved.address).not.toBe(first.address)
      expect(moved.certificateSha256).toBe(first.certificateSha256)
      expect(await probeCertificate(moved.address, 5000)).toBe(first.certificateSha256)
      await call(core, 'bmc.status', { boardId: moved.id })
    } finally {
      await core.close()
      await new Promise((resolve) => squatter.close(resolve))
    }
  })

  it('stops and starts on request, and says so rather than giving hardware advice while stopped', async () => {
    const core = launch()
    try {
      await startVirtualBoardOnLaunch(core)
      const board = await savedVirtualBoard(core)
      expect(await call(core, 'virtualBoard.stop', {})).toMatchObject({ running: false, boardId: board.id })
      expect(await savedVirtualBoard(core)).toMatchObject({ id: board.id })

      const failure = await core.dispatch('bmc.status', { boardId: board.id })
      expect(failure.ok).toBe(false)
      if (failure.ok) return
      expect(failure.error.code).toBe('bmc_unreachable')
      expect(failure.error.hint).toMatch(/virtual board runs inside Clusterdeck .*Start virtual board/)
      expect(failure.error.hint).not.toMatch(/powered|network|port 443/)

      const restarted = await call(core, 'virtualBoard.start', { firmware: '2.0.5' })
      expect(restarted).toMatchObject({ id: board.id, address: board.address })
      expect(await call(core, 'virtualBoard.status', {})).toMatchObject({
        running: true,
        firmware: '2.0.5',
        url: board.address,
      })
      await call(core, 'bmc.status', { boardId: board.id })
    } finally {
      await core.close()
    }
  })

  it('is not created again at launch once the user saved boards and removed it', async () => {
    const core = launch()
    try {
      await startVirtualBoardOnLaunch(core)
      const board = await savedVirtualBoard(core)
      await call(core, 'boards.add', {
        name: 'rack-1',
        address: '192.0.2.10',
        user: 'root',
        password: 'pw-1',
      })
      await call(core, 'boards.remove', { id: board.id })
      await call(core, 'virtualBoard.stop', {})
      await startVirtualBoardOnLaunch(core)
      expect((await call(core, 'virtualBoard.status', {})).running).toBe(false)
      const rack = (await call(core, 'boards.list', {}))[0]!
      await call(core, 'boards.remove', { id: rack.id })
    } finally {
      await core.close()
    }
  })
})
