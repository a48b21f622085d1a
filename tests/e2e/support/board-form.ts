// Page object for the add/edit board modal.
import type { Locator, Page } from 'playwright-core'

export type BoardField = 'name' | 'address' | 'user' | 'password'
export type BoardValues = Record<BoardField, string>

export class BoardForm {
  readonly dialog: Locator
  readonly form: Locator
  readonly submitButton: Locator
  readonly cancelButton: Locator
  /** The core's refusal (message as title, hint as body). */
  readonly failure: Locator

  constructor(page: Page) {
    this.form = page.getByTestId('board-form')
    this.dialog = page.getByRole('dialog').filter({ has: this.form })
    this.submitButton = this.form.locator('button[type="submit"]')
    this.cancelButton = this.form.getByRole('button', { name: 'Cancel', exact: true })
    this.failure = this.form.getByTestId('board-form-error')
  }

  input(field: BoardField): Locator {
    return this.form.locator(`input[name="${field}"]`)
  }

  /** The message Mantine shows under a field; it is linked to the input by id. */
  async fieldError(field: BoardField): Promise<string | null> {
    const id = await this.input(field).getAttribute('id')
    const error = this.form.locator(`[id="${id}-error"]`)
    return (await error.count()) === 0 ? null : error.innerText()
  }

  async fill(values: Partial<BoardValues>): Promise<void> {
    for (const [field, value] of Object.entries(values) as [BoardField, string][]) {
      await this.input(field).fill(value)
    }
  }

  async submit(): Promise<void> {
    await this.submitButton.click()
  }

  /** Submits and waits until the modal has closed, i.e. the core accepted the change. */
  async save(): Promise<void> {
    await this.submit()
    await this.dialog.waitFor({ state: 'hidden' })
  }

  async cancel(): Promise<void> {
    await this.cancelButton.click()
    await this.dialog.waitFor({ state: 'hidden' })
  }
}
