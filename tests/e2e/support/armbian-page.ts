// Page object for the Armbian RK1 page: the image list with its filters and downloads, the NPU
// explanation, and the first-boot preset form.
import type { Locator, Page } from 'playwright-core'

export class ArmbianPage {
  readonly page: Page
  readonly root: Locator
  readonly table: Locator
  readonly npu: Locator
  readonly preset: Locator

  constructor(page: Page) {
    this.page = page
    this.root = page.getByTestId('armbian-page')
    this.table = page.getByTestId('armbian-table')
    this.npu = page.getByTestId('npu-trade-off')
    this.preset = page.getByTestId('first-boot-preset')
  }

  async open(): Promise<void> {
    await this.page.getByRole('navigation').getByText('Armbian for RK1', { exact: true }).click()
    await this.table.or(this.page.getByTestId('armbian-empty')).waitFor()
  }

  image(name: string): Locator {
    return this.page.locator(`[data-testid="armbian-image"][data-name="${name}"]`)
  }

  async imageNames(): Promise<string[]> {
    const names = await this.page
      .getByTestId('armbian-image')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-name')))
    return names.filter((name): name is string => name !== null)
  }

  async filterBranch(label: string): Promise<void> {
    await this.root.getByTestId('armbian-filters').getByText(label, { exact: true }).click()
  }

  download(url: string): Locator {
    return this.page.locator(`[data-testid="download-row"][data-url="${url}"]`)
  }

  presetField(name: string): Locator {
    return this.preset.locator(`[name="${name}"]`)
  }
}
