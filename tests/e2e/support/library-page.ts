// Page objects for the image library: the list with its pin and delete, the drop zone for files,
// the size limit and the downloads; and the library shelf under a board's slots.
import type { Locator, Page } from 'playwright-core'
import { dropFile } from './drag-and-drop.ts'

export class LibraryPage {
  readonly page: Page
  readonly root: Locator
  readonly dropzone: Locator
  readonly table: Locator
  readonly emptyState: Locator
  readonly usage: Locator
  readonly downloads: Locator

  constructor(page: Page) {
    this.page = page
    this.root = page.getByTestId('library-page')
    this.dropzone = page.getByTestId('library-dropzone')
    this.table = page.getByTestId('image-table')
    this.emptyState = page.getByTestId('library-empty')
    this.usage = page.getByTestId('library-usage')
    this.downloads = page.getByTestId('downloads-panel')
  }

  /** Opens the page from the navigation and waits for the list (empty or not). */
  async open(): Promise<void> {
    await this.page.getByRole('navigation').getByText('Image library', { exact: true }).click()
    await this.emptyState.or(this.table).waitFor()
  }

  row(name: string): Locator {
    return this.page.locator(`[data-testid="image-row"][data-image-name="${name}"]`)
  }

  async rowNames(): Promise<string[]> {
    const names = await this.page
      .getByTestId('image-row')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-image-name')))
    return names.filter((name): name is string => name !== null)
  }

  /** Drops a file from the "file manager" onto the library. */
  dropFile(name: string, bytes: Buffer): Promise<void> {
    return dropFile(this.dropzone, name, bytes)
  }

  async togglePin(name: string): Promise<void> {
    const pinned = (await this.row(name).getAttribute('data-pinned')) === 'true'
    await this.row(name)
      .getByRole('button', { name: `${pinned ? 'Unpin' : 'Pin'} ${name}` })
      .click()
    await this.page
      .locator(`[data-testid="image-row"][data-image-name="${name}"][data-pinned="${!pinned}"]`)
      .waitFor()
  }

  /** Clicks delete; the confirmation it opens. */
  async askDelete(name: string): Promise<Locator> {
    await this.row(name)
      .getByRole('button', { name: `Delete ${name}` })
      .click()
    const dialog = this.page.getByRole('dialog', { name: 'Delete this image?' })
    await dialog.waitFor()
    return dialog
  }

  /** Sets the size limit in GiB through the usage card's editor. */
  async setSizeLimit(gib: string): Promise<void> {
    await this.usage.getByTestId('size-limit').click()
    const input = this.page.getByRole('textbox', { name: 'Size limit (GiB)' })
    await input.fill(gib)
    await this.page.getByRole('button', { name: 'Save limit' }).click()
    await input.waitFor({ state: 'hidden' })
  }

  download(url: string): Locator {
    return this.page.locator(`[data-testid="download-row"][data-url="${url}"]`)
  }
}

/** The library under a board's slots, whose images are dragged onto a slot. */
export class LibraryShelf {
  readonly root: Locator

  constructor(page: Page) {
    this.root = page.getByTestId('library-shelf')
  }

  image(name: string): Locator {
    return this.root.locator(`[data-testid="shelf-image"][data-image-name="${name}"]`)
  }

  /** A real HTML5 drag by the mouse, from the shelf onto the target. */
  async drag(name: string, target: Locator): Promise<void> {
    await this.image(name).dragTo(target)
  }
}
