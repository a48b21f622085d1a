// The board view and flashing end to end: Debian's Chromium runs the built renderer against the
// real core through the loopback WebSocket host, and the core drives the built-in virtual board
// over real HTTPS. A dropped image takes the browser's path: uploaded to the host, imported into
// the cache, then flashed by the same pipeline the desktop app uses.
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Board } from '../../src-shared/boards/board-schemas.ts'
import { imageBytes, sha256 } from '../support/make-image.ts'
import { startAppHost, type AppHost } from './support/app-host.ts'
import { BoardViewPage } from './support/board-view-page.ts'
import { BoardsPage } from './support/boards-page.ts'
import { screenshot } from './support/browser.ts'
import { pagePerTest } from './support/page-per-test.ts'

const boardName = 'Virtual board'
/** Slow enough to watch writing and verifying, fast enough for a test: 8 MiB write in about 4 s. */
const writeSpeedMBps = 2
const MiB = 1024 * 1024

describe('board view and flashing in Chromium through the WebSocket host', () => {
  let host: AppHost

  beforeAll(async () => {
    host = await startAppHost('flash')
  })

  afterAll(async () => {
    await host?.close()
  })

  const session = pagePerTest()
  let page: Page
  beforeEach(() => ({ page } = session))

  /**
   * The virtual board, started by the first test through the UI (or here, when a test runs alone).
   * Starting it again would re-save the board, which is not what these tests are about.
   */
  async function virtualBoard(): Promise<Board> {
    const saved = (await host.request('boards.list', {})).find((board) => board.name === boardName)
    return saved ?? host.request('virtualBoard.start', { writeSpeedMBps })
  }

  async function openBoardView(): Promise<BoardViewPage> {
    await virtualBoard()
    const boards = new BoardsPage(page)
    await boards.open(host.url)
    await boards.openBoard(boardName)
    const view = new BoardViewPage(page)
    await view.waitFor(boardName)
    // The first status round has answered once every slot knows its power.
    for (const node of [1, 2, 3, 4]) {
      await page
        .locator(`[data-testid="node-slot"][data-node="${node}"]:not([data-power="unknown"])`)
        .waitFor()
    }
    return view
  }

  it('starts the virtual board from the empty boards page and shows its four slots and the BMC', async () => {
    const boards = new BoardsPage(page)
    await boards.open(host.url)
    await screenshot(page, 'flash-boards-empty')
    await boards.tryVirtualBoard(writeSpeedMBps, () => screenshot(page, 'flash-virtual-board-modal'))

    const view = new BoardViewPage(page)
    await view.waitFor(boardName)
    expect(await view.slots.count()).toBe(4)
    const numbers = await view.slots.evaluateAll((slots) =>
      slots.map((slot) => slot.getAttribute('data-node')),
    )
    expect(numbers).toEqual(['1', '2', '3', '4'])
    await page.locator('[data-testid="node-slot"][data-node="1"]:not([data-power="unknown"])').waitFor()
    expect(await view.slot(1).fact('module')).not.toBe('')
    await view.bmcInfo.getByTestId('bmc-firmware').waitFor()
    expect(await view.bmcInfo.getByTestId('bmc-firmware').innerText()).toMatch(/^2\.1/)
    expect(await view.bmcInfo.innerText()).toMatch(/Daemon \(bmcd\)[\s\S]*Network[\s\S]*Storage/i)
    await screenshot(page, 'flash-board-view')
  })

  it('flashes an image dropped on slot 2: confirm, write, verify, done and verified, node on, boot text in the console', async () => {
    const view = await openBoardView()
    const slot = view.slot(2)
    const bytes = imageBytes(8 * MiB, 2)
    const phases = await slot.recordPhases()

    await slot.dropFile('talos-e2e-arm64.raw', bytes)
    const dialog = slot.flashDialog(boardName)
    await dialog.root.waitFor()
    const text = await dialog.text()
    expect(text).toContain('talos-e2e-arm64.raw')
    expect(text).toContain('8.00 MiB')
    expect(text).toMatch(/eMMC of node 2 of Virtual board will be overwritten/)
    expect(await dialog.switch('Verify after writing').isChecked()).toBe(true)
    expect(await dialog.switch('Power on when done').isChecked()).toBe(true)
    await screenshot(page, 'flash-confirm')
    await dialog.confirm('Flash node 2')

    await slot.waitForPhase('writing')
    await slot.root.getByTestId('flash-speed').waitFor()
    await screenshot(page, 'flash-writing')
    await slot.waitForPhase('done', 60_000)
    const seen = await phases()
    expect(seen).toEqual(expect.arrayContaining(['writing', 'verifying', 'done']))
    expect(seen.indexOf('writing')).toBeLessThan(seen.indexOf('verifying'))
    expect(seen.indexOf('verifying')).toBeLessThan(seen.indexOf('done'))
    expect(await slot.result.getAttribute('data-outcome')).toBe('done')
    expect(await slot.result.getByTestId('flash-verified').innerText()).toMatch(/verified/i)
    await slot.waitForPower('on')
    await screenshot(page, 'flash-done')

    // The browser's path: the upload went into the image cache under the raw bytes' hash.
    const cached = await host.request('images.list', {})
    expect(cached.map((image) => image.sha256)).toContain(sha256(bytes))

    const console = await slot.openConsole()
    await expect.poll(() => console.text(), { timeout: 20_000 }).toContain('booting Talos')
    await expect.poll(() => console.terminalRows(), { timeout: 5_000 }).toContain('[talos]')
    await screenshot(page, 'flash-console')
    await page.keyboard.press('Escape')

    await slot.button('History').click()
    const history = page.getByTestId('flash-history')
    await history.waitFor()
    const row = history.getByTestId('flash-history-row').first()
    expect(await row.getAttribute('data-outcome')).toBe('done')
    expect(await row.innerText()).toMatch(/talos-e2e-arm64\.raw[\s\S]*8\.00 MiB[\s\S]*done[\s\S]*yes/i)
    await screenshot(page, 'flash-history')
  })

  it('powers a node off only after the user confirms', async () => {
    const board = await virtualBoard()
    await host.request('bmc.power', { boardId: board.id, target: 1, action: 'on' })
    const view = await openBoardView()
    const slot = view.slot(1)
    await slot.waitForPower('on')

    await slot.button('Off').click()
    const dialog = view.dialog('Power off node 1?')
    await dialog.root.waitFor()
    expect(await dialog.text()).toContain('like pulling the plug')
    await screenshot(page, 'flash-power-off-confirm')
    // The safe choice has the focus: Enter right after the dialog opens powers nothing off.
    expect(await dialog.focusedButton()).toBe('Keep it running')
    await page.keyboard.press('Enter')
    await dialog.root.waitFor({ state: 'hidden' })
    expect(await slot.power()).toBe('on')

    await slot.button('Off').click()
    await dialog.keep('Keep it running')
    expect(await slot.power()).toBe('on')

    await slot.button('Off').click()
    await dialog.confirm('Power off')
    await slot.waitForPower('off', 5_000)
    const status = await host.request('bmc.status', { boardId: board.id })
    expect(status.nodes.find((node) => node.node === 1)?.poweredOn).toBe(false)
  })

  it('rejects a dropped file that is not a disk image, saying why, and starts nothing', async () => {
    const view = await openBoardView()
    const slot = view.slot(3)
    const jobsBefore = await host.request('flash.jobs', {})

    await slot.dropFile('notes.txt', Buffer.from('not an image\n'))
    await slot.rejection.waitFor()
    expect(await slot.rejection.innerText()).toContain(
      'notes.txt is not a disk image Clusterdeck can flash. Use a raw image (.img, .raw, .bin) or a compressed one (.xz, .gz, .zst, .zip).',
    )
    expect(await slot.flashDialog(boardName).root.count()).toBe(0)
    await screenshot(page, 'flash-rejected')
    expect(await host.request('flash.jobs', {})).toHaveLength(jobsBefore.length)
  })

  it('cancels a running flash after a warning; the node is left off and the flash recorded as cancelled', async () => {
    const view = await openBoardView()
    const slot = view.slot(4)
    await slot.dropFile('armbian-e2e.img', imageBytes(16 * MiB, 4))
    await slot.flashDialog(boardName).confirm('Flash node 4')
    await slot.waitForPhase('writing')
    await slot.progress.getByRole('button', { name: 'Cancel' }).click()
    const dialog = view.dialog('Cancel the flash of node 4?')
    await dialog.root.waitFor()
    expect(await dialog.text()).toMatch(/partly written eMMC/)
    expect(await dialog.focusedButton()).toBe('Keep flashing')
    await page.keyboard.press('Enter')
    await dialog.root.waitFor({ state: 'hidden' })
    expect(await slot.phase()).toBe('writing')
    await slot.progress.getByRole('button', { name: 'Cancel' }).click()
    await dialog.confirm('Stop the flash')

    await slot.waitForPhase('cancelled')
    expect(await slot.result.innerText()).toContain('Cancelled while writing')
    expect(await slot.root.getByTestId('flash-message').innerText()).toContain('partly written')
    await slot.waitForPower('off')
    await screenshot(page, 'flash-cancelled')
    const board = await virtualBoard()
    const [record] = await host.request('flash.history', { boardId: board.id, node: 4 })
    expect(record).toMatchObject({ outcome: 'cancelled', verified: false, imageName: 'armbian-e2e.img' })
  })

  it('asks the user to trust a changed BMC certificate, showing both fingerprints, and works again after', async () => {
    const board = await virtualBoard()
    const { presented } = await host.request('bmc.certificate', { boardId: board.id })
    const stale = Array.from({ length: 32 }, () => 'AB').join(':')
    await host.request('boards.trustCertificate', { id: board.id, certificateSha256: stale })

    const boards = new BoardsPage(page)
    await boards.open(host.url)
    await boards.openBoard(boardName)
    const dialog = page.getByRole('dialog', { name: 'The BMC certificate changed' })
    await dialog.waitFor()
    expect(await dialog.getByTestId('certificate-actual').innerText()).toBe(presented)
    expect(await dialog.getByTestId('certificate-expected').innerText()).toBe(stale)
    await screenshot(page, 'flash-certificate-changed')
    await dialog.getByRole('button', { name: 'Trust this certificate' }).click()
    await dialog.waitFor({ state: 'hidden' })

    await page.locator('[data-testid="node-slot"][data-node="1"]:not([data-power="unknown"])').waitFor()
    await new BoardViewPage(page).boardError.waitFor({ state: 'hidden' })
    expect((await host.request('boards.get', { ref: boardName })).certificateSha256).toBe(presented)
  })
})
