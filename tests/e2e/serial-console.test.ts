// The serial console end to end: keys typed in the terminal reach the node. On FW 2.1 (the
// built-in virtual board) they go raw over the BMC's serial WebSocket, Ctrl-C included; on FW 2.0.5
// the console works line by line and says so. The log can be copied and saved.
import { readFile } from 'node:fs/promises'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startVirtualBoard, type VirtualBoard } from '../../src-main/virtual-board/virtual-board-server.ts'
import { startAppHost, type AppHost } from './support/app-host.ts'
import { BoardViewPage } from './support/board-view-page.ts'
import { BoardsPage } from './support/boards-page.ts'
import { screenshot } from './support/browser.ts'
import { pagePerTest } from './support/page-per-test.ts'

describe('serial console in Chromium through the WebSocket host', () => {
  let host: AppHost
  let legacy: VirtualBoard

  beforeAll(async () => {
    host = await startAppHost('serial')
    await host.request('virtualBoard.start', {})
    legacy = await startVirtualBoard({ firmware: '2.0.5', bootDelayMs: 50 })
    await host.request('boards.add', {
      name: 'old-bmc',
      address: legacy.url,
      user: legacy.credentials.username,
      password: legacy.credentials.password,
      certificateSha256: legacy.fingerprint256,
    })
  })

  afterAll(async () => {
    await host?.close()
    await legacy?.close()
  })

  const session = pagePerTest({ acceptDownloads: true })
  let page: Page
  beforeEach(() => ({ page } = session))

  async function openBoard(name: string): Promise<BoardViewPage> {
    const boards = new BoardsPage(page)
    await boards.open(host.url)
    await boards.openBoard(name)
    const view = new BoardViewPage(page)
    await view.waitFor(name)
    return view
  }

  async function powerOn(boardName: string, node: number) {
    const board = await host.request('boards.get', { ref: boardName })
    await host.request('bmc.power', { boardId: board.id, target: node, action: 'on' })
  }

  it('sends every key typed in the terminal on FW 2.1, Ctrl-C included, and copies and saves the log', async () => {
    await session.context.grantPermissions(['clipboard-read', 'clipboard-write'])
    await powerOn('Virtual board', 3)
    const view = await openBoard('Virtual board')
    const console = await view.slot(3).openConsole()
    await console.waitForMode('socket')
    expect(await console.lineModeNotice.count()).toBe(0)

    await console.type('sleep 99')
    await console.press('Control+C')
    await expect.poll(() => console.text(), { timeout: 10_000 }).toContain('sleep 99^C')
    await console.type('ls -l')
    await console.press('Backspace')
    await console.press('Enter')
    await expect.poll(() => console.text()).toContain('ls -l\b \b\r\n')
    await expect.poll(() => console.terminalRows()).toContain('sleep 99^C')
    await screenshot(page, 'serial-console-live')

    await console.copy()
    // These tests compile without the DOM library.
    const copied = await page.evaluate(() =>
      (
        globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
      ).navigator.clipboard.readText(),
    )
    expect(copied).toContain('sleep 99^C')

    // The keyboard's way out: Tab goes to the node, Shift+Tab leaves the terminal.
    await console.terminal.locator('.xterm').click()
    expect(await console.terminalHasFocus()).toBe(true)
    await console.press('Tab')
    expect(await console.terminalHasFocus()).toBe(true)
    await console.press('Shift+Tab')
    expect(await console.terminalHasFocus()).toBe(false)

    const download = await console.saveLog()
    expect(download.suggestedFilename()).toBe('Virtual board-node-3-console.log')
    expect(await readFile((await download.path())!, 'utf8')).toBe(await console.text())
  })

  it('works line by line on FW 2.0.5 and says that single keys cannot be sent', async () => {
    await powerOn('old-bmc', 2)
    const view = await openBoard('old-bmc')
    const console = await view.slot(2).openConsole()
    await console.waitForMode('lines')
    expect(await console.lineModeNotice.innerText()).toMatch(/CR LF.*Ctrl-C/s)

    await console.type('uname -a')
    await console.press('Enter')
    // The BMC adds CR LF and the node's shell echoes the line; the core reads it back.
    await expect.poll(() => console.text(), { timeout: 10_000 }).toContain('uname -a\r\n')
    await console.press('Control+C')
    await expect.poll(() => console.terminalRows()).toContain('cannot send single keys such as Ctrl-C')
    await screenshot(page, 'serial-console-lines')
  })
})
