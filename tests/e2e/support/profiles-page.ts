// Page objects for the clusters page and one profile: the list, the template and import dialogs,
// the editor's fields (found by the dotted path their validation issues use), and the header's
// dry run, deploy and export.
import { readFile } from 'node:fs/promises'
import type { Locator, Page } from 'playwright-core'

export class ProfilesPage {
  readonly page: Page
  readonly root: Locator
  readonly emptyState: Locator
  readonly table: Locator

  constructor(page: Page) {
    this.page = page
    this.root = page.getByTestId('profiles-page')
    this.emptyState = page.getByTestId('profiles-empty')
    this.table = page.getByTestId('profiles-table')
  }

  /** Opens the page from the navigation and waits for the list (empty or not). */
  async open(): Promise<void> {
    await this.page.getByRole('navigation').getByText('Clusters', { exact: true }).click()
    await this.emptyState.or(this.table).waitFor()
  }

  row(name: string): Locator {
    return this.page.locator(`[data-testid="profile-row"][data-profile-name="${name}"]`)
  }

  async newFromTemplate(template: string, name: string, board: string): Promise<void> {
    await this.root.getByRole('button', { name: 'New from template' }).click()
    const form = this.page.getByTestId('new-profile-form')
    await form.waitFor()
    await form.locator(`[data-template="${template}"]`).click()
    await form.locator('input[name="profile-name"]').fill(name)
    await selectOption(this.page, form.getByRole('combobox', { name: 'Board' }), board)
    await form.getByRole('button', { name: 'Create profile' }).click()
    await form.waitFor({ state: 'hidden' })
  }

  /** Clicks Export YAML on a row and returns the file's name and text. */
  async exportYaml(name: string): Promise<{ fileName: string; text: string }> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.row(name).getByRole('button', { name: 'Export YAML' }).click(),
    ])
    return { fileName: download.suggestedFilename(), text: await readFile(await download.path(), 'utf8') }
  }

  /** Imports YAML through the file picker, as a user choosing an exported file. */
  async importYamlFile(fileName: string, text: string): Promise<Locator> {
    await this.root.getByRole('button', { name: 'Import YAML' }).first().click()
    const form = this.page.getByTestId('import-profile-form')
    await form.waitFor()
    const [chooser] = await Promise.all([
      this.page.waitForEvent('filechooser'),
      form.getByRole('button', { name: 'Choose a file…' }).click(),
    ])
    await chooser.setFiles({ name: fileName, mimeType: 'application/yaml', buffer: Buffer.from(text) })
    await form.getByText(`From ${fileName}`).waitFor()
    return form
  }
}

export class ProfileView {
  readonly page: Page
  readonly root: Locator
  readonly editor: Locator
  readonly saveButton: Locator
  readonly summary: Locator

  constructor(page: Page) {
    this.page = page
    this.root = page.getByTestId('profile-view')
    this.editor = page.getByTestId('profile-editor')
    this.saveButton = this.editor.getByRole('button', { name: 'Save', exact: true })
    this.summary = page.getByTestId('validation-summary')
  }

  async waitFor(name: string): Promise<void> {
    await this.page.locator(`[data-testid="profile-view"][data-profile-name="${name}"]`).waitFor()
  }

  /** The input wrapper of the field at a dotted path, e.g. "nodes[1].address". */
  field(path: string): Locator {
    return this.editor.locator(`[data-path="${path}"]`)
  }

  input(path: string): Locator {
    return this.field(path).locator('input')
  }

  /** The field's error text as shown under it ('' when it has none). */
  async errorOf(path: string): Promise<string> {
    const error = this.field(path).locator('[data-severity="error"]')
    return (await error.count()) === 0 ? '' : (await error.allInnerTexts()).join('\n')
  }

  /** The field's warnings as shown under it ('' when it has none). */
  async warningOf(path: string): Promise<string> {
    const warning = this.field(path).locator('[data-severity="warning"]')
    return (await warning.count()) === 0 ? '' : (await warning.allInnerTexts()).join('\n')
  }

  /** Waits until the core has checked the current draft. */
  async waitForValidation(): Promise<void> {
    await this.page.locator('[data-testid="validation-summary"]:not(:has-text("Checking"))').waitFor()
  }

  async chooseCachedImage(imageName: string): Promise<void> {
    const source = this.editor.getByTestId('image-source').first()
    await source.getByText('Cached image', { exact: true }).click()
    await selectOption(this.page, source.getByRole('combobox', { name: 'Image in the cache' }), imageName)
  }

  async save(): Promise<void> {
    await this.waitForValidation()
    await this.saveButton.click()
    await this.page
      .locator('[data-testid="profile-editor"] .mantine-Badge-root:has-text("unsaved")')
      .waitFor({
        state: 'detached',
      })
  }

  button(name: string): Locator {
    return this.root.getByRole('button', { name, exact: true })
  }

  tab(name: 'Profile' | 'Runs'): Locator {
    return this.root.getByRole('tab', { name: new RegExp(`^${name}`) })
  }
}

/** Picks an option of a Mantine Select by (part of) its label. */
export async function selectOption(page: Page, input: Locator, label: string): Promise<void> {
  await input.click()
  await page.getByRole('option', { name: label }).first().click()
}
