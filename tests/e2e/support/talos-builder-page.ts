// Page object for the Talos image builder: the form's choices, the schematic it shows (ID, status,
// URLs, YAML), confirming with the factory, and saved schematics.
import type { Locator, Page } from 'playwright-core'
import { selectOption } from './profiles-page.ts'

export class TalosBuilderPage {
  readonly page: Page
  readonly root: Locator
  readonly result: Locator
  readonly schematicId: Locator
  readonly status: Locator
  readonly mismatch: Locator
  readonly saved: Locator

  constructor(page: Page) {
    this.page = page
    this.root = page.getByTestId('talos-builder')
    this.result = page.getByTestId('schematic-result')
    this.schematicId = page.getByTestId('schematic-id')
    this.status = page.getByTestId('schematic-status')
    this.mismatch = page.getByTestId('schematic-mismatch')
    this.saved = page.getByTestId('saved-schematics')
  }

  async open(): Promise<void> {
    await this.page.getByRole('navigation').getByText('Talos builder', { exact: true }).click()
    await this.root.waitFor()
  }

  async chooseVersion(version: string): Promise<void> {
    await selectOption(this.page, this.root.getByRole('combobox', { name: 'Talos version' }), version)
  }

  async chooseBoard(label: string): Promise<void> {
    await selectOption(this.page, this.root.getByRole('combobox', { name: 'Board' }), label)
  }

  async choosePreset(label: string): Promise<void> {
    await this.root.getByTestId('preset').getByText(label, { exact: true }).click()
  }

  /** Waits until the shown ID is this one (it follows the form a moment later). */
  async waitForId(id: string): Promise<void> {
    await this.page.locator(`[data-testid="schematic-id"]:text-is("${id}")`).waitFor()
  }

  async text(testId: 'image-url' | 'installer-image' | 'schematic-yaml'): Promise<string> {
    return this.result.getByTestId(testId).innerText()
  }

  async confirmWithFactory(): Promise<void> {
    await this.result.getByRole('button', { name: 'Confirm with factory' }).click()
  }

  async save(name: string): Promise<void> {
    await this.saved.locator('input[name="schematic-name"]').fill(name)
    await this.saved.getByRole('button', { name: 'Save', exact: true }).click()
    await this.savedRow(name).waitFor()
  }

  savedRow(name: string): Locator {
    return this.saved.locator(`[data-testid="saved-schematic"][data-name="${name}"]`)
  }
}
