// The image library end to end in Chromium against the real core: an .xz made by the real xz tool
// dropped onto the library is unpacked into the cache and listed at its raw size; pin and a
// confirmed delete; and a library image dragged onto a slot of the virtual board is flashed from
// the cache without being uploaded again.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { imageBytes, pack, sha256, writeImage } from '../support/make-image.ts'
import { makeTempDir } from '../support/temp-dir.ts'
import { startAppHost, type AppHost } from './support/app-host.ts'
import { BoardViewPage } from './support/board-view-page.ts'
import { BoardsPage } from './support/boards-page.ts'
import { screenshot } from './support/browser.ts'
import { LibraryPage, LibraryShelf } from './support/library-page.ts'
import { pagePerTest } from './support/page-per-test.ts'

const MiB = 1024 * 1024
const boardName = 'Virtual board'
const raw = imageBytes(8 * MiB, 11)

describe('the image library in Chromium through the WebSocket host', () => {
  let host: AppHost
  let files: ReturnType<typeof makeTempDir>
  let packed: Buffer

  beforeAll(async () => {
    files = makeTempDir()
    packed = readFileSync(pack(writeImage(join(files.path, 'talos-library.raw'), raw), 'xz'))
    host = await startAppHost('library')
  })

  afterAll(async () => {
    await host?.close()
    files?.remove()
  })

  const session = pagePerTest({ url: () => host.url })
  let page: Page
  let context: BrowserContext
  beforeEach(() => ({ page, context } = session))

  it('imports an .xz dropped onto the library, listed unpacked at its raw size', async () => {
    const library = new LibraryPage(page)
    await library.open()
    await library.emptyState.waitFor()
    await screenshot(page, 'library-empty')
    expect(packed.length).toBeLessThan(raw.length)

    await library.dropFile('talos-library.raw.xz', packed)
    await library.row('talos-library.raw').waitFor({ timeout: 30_000 })
    const row = library.row('talos-library.raw')
    expect(await row.getAttribute('data-sha256')).toBe(sha256(raw))
    expect(await row.getByTestId('image-size').innerText()).toBe('8.00 MiB')
    expect(await row.innerText()).toMatch(/packed/)
    expect(await library.usage.innerText()).toMatch(/8\.00 MiB[\s\S]*in 1 image/)
    await screenshot(page, 'library-imported')

    await library.setSizeLimit('0.5')
    await library.usage.getByText('Limit 512.0 MiB').waitFor()
    expect((await host.request('images.settings', {})).sizeLimitBytes).toBe(512 * MiB)
    await screenshot(page, 'library-limit')
  })

  it('pins an image and deletes another after confirming', async () => {
    const scratch = writeImage(join(files.path, 'scratch.img'), imageBytes(1 * MiB, 12))
    await host.request('images.importFile', { path: scratch })
    const library = new LibraryPage(page)
    await library.open()
    await library.row('scratch.img').waitFor()

    await library.togglePin('talos-library.raw')
    expect((await host.request('images.list', {})).find((i) => i.name === 'talos-library.raw')?.pinned).toBe(
      true,
    )

    const dialog = await library.askDelete('scratch.img')
    expect(await dialog.innerText()).toMatch(/scratch\.img[\s\S]*Frees 1\.00 MiB/)
    await screenshot(page, 'library-delete-confirm')
    await dialog.getByRole('button', { name: 'Keep the image' }).click()
    await dialog.waitFor({ state: 'hidden' })
    expect(await library.rowNames()).toContain('scratch.img')

    await (
      await library.askDelete('scratch.img')
    )
      .getByRole('button', { name: 'Delete the image', exact: true })
      .click()
    await library.row('scratch.img').waitFor({ state: 'detached' })
    expect(await library.rowNames()).toEqual(['talos-library.raw'])
    expect((await host.request('images.list', {})).map((i) => i.name)).toEqual(['talos-library.raw'])
    await screenshot(page, 'library-pinned')
  })

  it('flashes a library image dragged onto a slot of the virtual board', async () => {
    // Slow enough that the flash is still under way while another window tries to delete its image.
    await host.request('virtualBoard.start', { writeSpeedMBps: 1 })
    const boards = new BoardsPage(page)
    await boards.open(host.url)
    await boards.openBoard(boardName)
    const view = new BoardViewPage(page)
    await view.waitFor(boardName)
    await page.locator('[data-testid="node-slot"][data-node="1"]:not([data-power="unknown"])').waitFor()

    const shelf = new LibraryShelf(page)
    await shelf.image('talos-library.raw').waitFor()
    await screenshot(page, 'library-shelf')
    const slot = view.slot(1)
    await shelf.drag('talos-library.raw', slot.dropzone)

    const dialog = slot.flashDialog(boardName)
    await dialog.root.waitFor()
    expect(await dialog.text()).toMatch(/talos-library\.raw[\s\S]*8\.00 MiB/)
    await screenshot(page, 'library-drag-confirm')
    await dialog.confirm('Flash node 1')

    // Straight from the cache: no upload panel, the flash itself.
    await slot.waitForPhase('writing')
    await screenshot(page, 'library-drag-writing')

    // Meanwhile, in another window, the image being flashed cannot be deleted: the core says why.
    const other = await context.newPage()
    await other.goto(host.url)
    const library = new LibraryPage(other)
    await library.open()
    await (
      await library.askDelete('talos-library.raw')
    )
      .getByRole('button', { name: 'Delete the image', exact: true })
      .click()
    const refusal = other.locator('.mantine-Notification-root', {
      hasText: 'talos-library.raw cannot be deleted: the flash of node 1 on board "Virtual board"',
    })
    await refusal.waitFor()
    expect(await refusal.innerText()).toContain('Wait for the flash to finish, or cancel it first.')
    expect(await library.rowNames()).toEqual(['talos-library.raw'])
    await screenshot(other, 'library-delete-conflict')
    await other.close()

    await slot.waitForPhase('done', 60_000)
    const [job] = (await host.request('flash.jobs', {})).filter((candidate) => candidate.node === 1)
    expect(job).toMatchObject({ imageName: 'talos-library.raw', imageSha256: sha256(raw), phase: 'done' })
  })

  it('flashes a file dropped on a slot even beyond the size limit, shows the excess, and refuses an empty one', async () => {
    // The pinned 8 MiB image alone is over this limit: a drop used to be refused as not fitting.
    await host.request('images.updateSettings', { sizeLimitBytes: 4 * MiB })
    const view = new BoardViewPage(page)
    await new BoardsPage(page).open(host.url)
    await new BoardsPage(page).openBoard(boardName)
    await view.waitFor(boardName)
    const slot = view.slot(2)
    const dropped = imageBytes(2 * MiB, 13)
    await slot.dropFile('over-limit.img', dropped)
    await slot.flashDialog(boardName).confirm('Flash node 2')
    await slot.waitForPhase('done', 60_000)
    const [job] = (await host.request('flash.jobs', {})).filter((candidate) => candidate.node === 2)
    expect(job).toMatchObject({ imageSha256: sha256(dropped), phase: 'done', verified: true })

    await slot.dropFile('empty.img', Buffer.alloc(0))
    await slot.flashDialog(boardName).confirm('Flash node 2')
    await slot.rejection.waitFor()
    expect(await slot.rejection.innerText()).toContain(
      'empty.img is empty: there is nothing in it to store or flash.',
    )
    await screenshot(page, 'flash-empty-refused')

    const library = new LibraryPage(page)
    await library.open()
    await library.row('over-limit.img').waitFor()
    const excess = library.usage.getByTestId('library-over-limit')
    await excess.waitFor()
    expect(await excess.innerText()).toMatch(/^6\.00 MiB over the limit\./)
    await screenshot(page, 'library-over-limit')
  })
})
