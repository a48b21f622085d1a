// The boards page end to end: Debian's Chromium runs the built renderer against the real core
// (SQLite in a temporary data directory, passwords in the real Secret Service) through the
// loopback WebSocket host. Only Electron's IPC is swapped out.
import { randomBytes } from 'node:crypto'
import type { BrowserContext } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Board } from '../../src-shared/boards/board-schemas.ts'
import { startAppHost, type AppHost } from './support/app-host.ts'
import { BoardsPage } from './support/boards-page.ts'
import { screenshot } from './support/browser.ts'
import { filesContaining, listFiles } from './support/data-dir-scan.ts'
import { pagePerTest } from './support/page-per-test.ts'

// Random, so finding it anywhere cannot be a coincidence.
const password = () => `bmc-${randomBytes(12).toString('hex')}`

describe('boards page in Chromium through the WebSocket host', () => {
  let host: AppHost
  let boards: BoardsPage

  beforeAll(async () => {
    host = await startAppHost('boards')
  })

  afterAll(async () => {
    await host?.close()
  })

  beforeEach(async () => {
    for (const board of await host.request('boards.list', {})) {
      await host.request('boards.remove', { id: board.id })
    }
  })

  const session = pagePerTest({ viewport: { width: 1280, height: 820 }, timeoutMs: 10_000 })
  let context: BrowserContext
  beforeEach(() => {
    context = session.context
    boards = new BoardsPage(session.page)
  })

  const savedBoard = (name: string): Promise<Board> => host.request('boards.get', { ref: name })

  it('starts and stops the virtual board from the boards page while other boards are saved', async () => {
    await host.request('boards.add', {
      name: 'rack-1',
      address: '192.0.2.7',
      user: 'root',
      password: password(),
    })
    await boards.open(host.url)
    const page = boards.page
    await page.getByTestId('start-virtual-board').click()
    await page.getByRole('button', { name: 'Start the virtual board' }).click()
    await page.getByTestId('board-view').waitFor()
    const status = await host.request('virtualBoard.status', {})
    expect(status).toMatchObject({
      running: true,
      url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/),
    })

    await page.getByRole('button', { name: 'Boards' }).click()
    await boards.row('Virtual board').waitFor()
    await expect.poll(async () => (await boards.cells('Virtual board')).password).toBe('virtual, running')
    expect((await boards.cells('Virtual board')).address).toBe(status.url)

    await page.getByTestId('stop-virtual-board').click()
    await expect.poll(async () => (await boards.cells('Virtual board')).password).toBe('virtual, stopped')
    expect(await host.request('virtualBoard.status', {})).toMatchObject({ running: false, url: null })
    await page.getByTestId('start-virtual-board').waitFor()
    await screenshot(page, 'boards-virtual-stopped')
  })

  it('shows the empty state when no board is saved', async () => {
    await boards.open(host.url)
    expect(await boards.emptyState.innerText()).toContain('No boards yet')
    expect(await boards.rows().count()).toBe(0)
    await screenshot(boards.page, 'boards-empty')
  })

  it('adds a board that is listed with its password in the keychain, survives a reload, and keeps the password out of the data directory', async () => {
    const secret = password()
    await boards.open(host.url)
    // The token moves from the address bar to sessionStorage.
    expect(boards.page.url()).not.toContain('token')

    const form = await boards.openAddForm()
    await form.fill({ name: 'rack-1', address: '10.0.0.50', user: 'root', password: secret })
    await screenshot(boards.page, 'boards-add-modal')
    await form.save()
    await boards.row('rack-1').waitFor()
    await screenshot(boards.page, 'boards-with-board')

    expect(await boards.cells('rack-1')).toEqual({
      name: 'rack-1',
      address: 'https://10.0.0.50',
      user: 'root',
      password: 'in keychain',
    })
    const board = await savedBoard('rack-1')
    expect(await host.storedPassword(board)).toBe(secret)

    await boards.reload()
    expect(await boards.rowNames()).toEqual(['rack-1'])
    expect((await boards.cells('rack-1')).password).toBe('in keychain')

    // Scan while the core is running, so the WAL still holds the fresh row.
    const files = (await listFiles(host.dataDir)).map((file) => file.slice(host.dataDir.length + 1))
    expect(files).toEqual(
      expect.arrayContaining(['clusterdeck.db', 'clusterdeck.db-wal', 'clusterdeck.db-shm']),
    )
    expect(
      await filesContaining(host.dataDir, 'rack-1'),
      'the scan finds what the app did write',
    ).not.toEqual([])
    expect(await filesContaining(host.dataDir, secret)).toEqual([])
    expect(await boards.page.content()).not.toContain(secret)
  })

  it('shows field errors for invalid input and saves nothing until it is corrected', async () => {
    await boards.open(host.url)
    const form = await boards.openAddForm()
    await form.fill({ name: '', address: '10.0.0.500', user: 'root', password: password() })
    await form.submit()

    await expect.poll(() => form.fieldError('name')).toContain('The name is empty')
    expect(await form.fieldError('address')).toContain('"10.0.0.500" is not a BMC address')
    expect(await form.fieldError('user')).toBeNull()
    expect(await form.fieldError('password')).toBeNull()
    expect(await form.input('address').getAttribute('aria-invalid')).toBe('true')
    await screenshot(boards.page, 'boards-add-invalid')
    expect(await form.dialog.isVisible()).toBe(true)
    expect(await host.request('boards.list', {})).toEqual([])

    await form.fill({ name: 'rack-1', address: '10.0.0.5' })
    await form.save()
    await boards.row('rack-1').waitFor()
    expect(await host.request('boards.list', {})).toHaveLength(1)
  })

  it("shows the core's error and hint for a duplicate name, and saves nothing", async () => {
    await host.request('boards.add', {
      name: 'rack-1',
      address: '10.0.0.50',
      user: 'root',
      password: password(),
    })
    await boards.open(host.url)
    const form = await boards.openAddForm()
    await form.fill({ name: 'RACK-1', address: '10.0.0.51', user: 'root', password: password() })
    await form.submit()

    await form.failure.waitFor()
    expect(await form.failure.innerText()).toMatch(
      /A board named "rack-1" already exists\.\s+Choose another name, or edit the existing board\./,
    )
    await screenshot(boards.page, 'boards-add-duplicate')
    const saved = await host.request('boards.list', {})
    expect(saved.map((board) => board.address)).toEqual(['https://10.0.0.50'])
  })

  it('edits a board: renames it and changes its address, keeping its password', async () => {
    const secret = password()
    const before = await host.request('boards.add', {
      name: 'rack-1',
      address: '10.0.0.50',
      user: 'root',
      password: secret,
    })
    await boards.open(host.url)
    const form = await boards.openEditForm('rack-1')
    expect(await form.input('name').inputValue()).toBe('rack-1')
    expect(await form.input('password').inputValue()).toBe('')
    await form.fill({ name: 'rack-2', address: 'https://turingpi.local:8443' })
    await form.save()

    await boards.row('rack-2').waitFor()
    expect(await boards.rowNames()).toEqual(['rack-2'])
    expect(await boards.cells('rack-2')).toMatchObject({
      address: 'https://turingpi.local:8443',
      password: 'in keychain',
    })
    const after = await savedBoard('rack-2')
    expect(after.id).toBe(before.id)
    expect(await host.storedPassword(after)).toBe(secret)
  })

  it('asks before removing: cancel keeps the board, confirm removes it and its keychain entry', async () => {
    const board = await host.request('boards.add', {
      name: 'rack-1',
      address: '10.0.0.50',
      user: 'root',
      password: password(),
    })
    await boards.open(host.url)

    const dialog = await boards.openRemoveDialog('rack-1')
    expect(await dialog.innerText()).toContain('deletes its BMC password from the keychain')
    await boards.cancelRemove()
    expect(await boards.rowNames()).toEqual(['rack-1'])
    expect(await host.storedPassword(board)).not.toBeNull()

    await boards.removeBoard('rack-1')
    await boards.emptyState.waitFor()
    expect(await host.request('boards.list', {})).toEqual([])
    expect(await host.storedPassword(board)).toBeNull()
  })

  it('keeps a second tab current through boards.changed events', async () => {
    const other = new BoardsPage(await context.newPage())
    await boards.open(host.url)
    await other.open(host.url)

    // Chromium throttles the animation frames of background tabs; switch tabs as a user would.
    await boards.page.bringToFront()
    await boards.addBoard({ name: 'rack-1', address: '10.0.0.50', user: 'root', password: password() })
    await other.row('rack-1').waitFor({ timeout: 5_000 })

    await other.page.bringToFront()
    await other.removeBoard('rack-1')
    await boards.emptyState.waitFor({ timeout: 5_000 })
  })

  it('tells the user what to do when the page is opened without the token', async () => {
    await boards.page.goto(host.origin)
    await boards.loadError.waitFor()
    expect(await boards.loadError.innerText()).toMatch(/without the access token[\s\S]*after #/)
    expect(await boards.emptyState.count()).toBe(0)
    await screenshot(boards.page, 'boards-no-token')
  })

  it('says the host refused a stale token rather than that the connection was lost', async () => {
    await boards.page.goto(`${host.origin}#token=stale-token-of-an-earlier-run`)
    await boards.loadError.waitFor({ timeout: 5_000 })
    expect(await boards.loadError.innerText()).toContain('refused')
    expect(await boards.emptyState.count()).toBe(0)
  })
})
