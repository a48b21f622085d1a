// Page object for the boards page: what a user sees and does there, so tests read as user flows
// and selectors live in one place.
import type { Locator, Page } from 'playwright-core'
import { BoardForm, type BoardValues } from './board-form.ts'

export interface BoardRowCells {
  name: string
  address: string
  user: string
  password: string
}

export class BoardsPage {
  readonly page: Page
  readonly heading: Locator
  readonly addButton: Locator
  readonly emptyState: Locator
  readonly table: Locator
  /** The page-level error, e.g. when the core cannot be reached. */
  readonly loadError: Locator
  readonly form: BoardForm
  readonly removeDialog: Locator

  constructor(page: Page) {
    this.page = page
    this.heading = page.getByRole('heading', { name: 'Boards', level: 2 })
    this.addButton = page.getByRole('button', { name: 'Add board' }).first()
    this.emptyState = page.getByTestId('boards-empty')
    this.table = page.getByTestId('boards-table')
    this.loadError = page.getByTestId('boards-error')
    this.form = new BoardForm(page)
    this.removeDialog = page.getByRole('dialog', { name: 'Remove board?' })
  }

  /** Opens the page and waits until the board list has loaded (empty or not). */
  async open(url: string): Promise<void> {
    await this.page.goto(url)
    await this.waitForList()
  }

  async reload(): Promise<void> {
    await this.page.reload()
    await this.waitForList()
  }

  async waitForList(): Promise<void> {
    await this.emptyState.or(this.table).waitFor()
  }

  rows(): Locator {
    return this.page.getByTestId('board-row')
  }

  row(name: string): Locator {
    return this.page.locator(`[data-testid="board-row"][data-board-name="${name}"]`)
  }

  async rowNames(): Promise<string[]> {
    const names = await this.rows().evaluateAll((rows) =>
      rows.map((row) => row.getAttribute('data-board-name')),
    )
    return names.filter((name): name is string => name !== null)
  }

  /** The text of each cell as in the DOM (innerText would apply the badge's CSS upper-casing). */
  async cells(name: string): Promise<BoardRowCells> {
    const [cellName, address, user, password] = await this.row(name).getByRole('cell').allTextContents()
    return { name: cellName ?? '', address: address ?? '', user: user ?? '', password: password ?? '' }
  }

  async openAddForm(): Promise<BoardForm> {
    await this.addButton.click()
    await this.form.form.waitFor()
    return this.form
  }

  async addBoard(values: BoardValues): Promise<void> {
    const form = await this.openAddForm()
    await form.fill(values)
    await form.save()
    await this.row(values.name).waitFor()
  }

  async openEditForm(name: string): Promise<BoardForm> {
    await this.row(name).getByRole('button', { name: 'Edit' }).click()
    await this.form.form.waitFor()
    return this.form
  }

  async editBoard(name: string, changes: Partial<BoardValues>): Promise<void> {
    const form = await this.openEditForm(name)
    await form.fill(changes)
    await form.save()
  }

  async openRemoveDialog(name: string): Promise<Locator> {
    await this.row(name).getByRole('button', { name: 'Remove' }).click()
    await this.removeDialog.waitFor()
    return this.removeDialog
  }

  async cancelRemove(): Promise<void> {
    await this.removeDialog.getByRole('button', { name: 'Keep the board', exact: true }).click()
    await this.removeDialog.waitFor({ state: 'hidden' })
  }

  async confirmRemove(): Promise<void> {
    await this.removeDialog.getByRole('button', { name: 'Remove', exact: true }).click()
    await this.removeDialog.waitFor({ state: 'hidden' })
  }

  /** Starts the virtual board from the empty state, with a simulated eMMC speed. */
  async tryVirtualBoard(writeSpeedMBps: number, beforeStart?: () => Promise<void>): Promise<void> {
    await this.emptyState.getByRole('button', { name: 'Try the virtual board' }).click()
    const dialog = this.page.getByRole('dialog', { name: 'Try the virtual board' })
    await dialog.locator('input[name="writeSpeedMBps"]').fill(String(writeSpeedMBps))
    await beforeStart?.()
    await dialog.getByRole('button', { name: 'Start the virtual board' }).click()
    await dialog.waitFor({ state: 'hidden' })
  }

  async openBoard(name: string): Promise<void> {
    await this.row(name).getByRole('button', { name: 'Open' }).click()
  }

  async removeBoard(name: string): Promise<void> {
    await this.openRemoveDialog(name)
    await this.confirmRemove()
    await this.row(name).waitFor({ state: 'detached' })
  }
}
