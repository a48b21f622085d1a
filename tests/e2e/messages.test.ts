// What the UI says when something is wrong: a YAML import's problems named by field and expectation
// rather than in the schema library's words, and a profile of the same name replaced only after the
// user has said so.
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startAppHost, type AppHost } from './support/app-host.ts'
import { screenshot } from './support/browser.ts'
import { pagePerTest } from './support/page-per-test.ts'
import { ProfilesPage, ProfileView } from './support/profiles-page.ts'

describe('messages in Chromium', () => {
  let host: AppHost

  beforeAll(async () => {
    host = await startAppHost('messages')
    await host.request('virtualBoard.start', { writeSpeedMBps: 4 })
    await host.request('profiles.fromTemplate', {
      template: 'talos-rk1-longhorn',
      name: 'lab',
      board: 'Virtual board',
    })
  })

  afterAll(async () => {
    await host?.close()
  })

  const session = pagePerTest({ acceptDownloads: true, url: () => host.url })
  let page: Page
  beforeEach(() => ({ page } = session))

  it('names the field and what it must hold in a YAML import, not the schema words', async () => {
    const profiles = new ProfilesPage(page)
    await profiles.open()
    const { text } = await profiles.exportYaml('lab')
    const broken = text
      .replace('name: lab', 'name: broken')
      .replace(/^nodes:\n(?: .*\n|- .*\n)+/m, 'nodes: turing-cp1\n')
    const form = await profiles.importYamlFile('broken.yaml', broken)
    const issues = form.getByTestId('import-issues')
    await issues.waitFor()
    expect(await issues.innerText()).toContain('nodes: must be a list (lines starting with "- "), not text')
    expect(await issues.innerText()).not.toMatch(/Invalid input|expected array/)
    await screenshot(page, 'messages-import-issues')
  })

  it('asks before an import replaces a saved profile of the same name; Enter keeps the saved one', async () => {
    const profiles = new ProfilesPage(page)
    await profiles.open()
    const before = await host.request('profiles.get', { ref: 'lab' })
    const { text } = await profiles.exportYaml('lab')
    const changed = text.replace('hostname: turing-cp1', 'hostname: cp-imported')
    const form = await profiles.importYamlFile('lab.yaml', changed)
    await form.getByText('Ready to import').waitFor()
    await form.getByRole('button', { name: 'Import', exact: true }).click()

    const dialog = page.getByRole('dialog', { name: 'Replace the profile "lab"?' })
    await dialog.waitFor()
    await screenshot(page, 'messages-import-replace')
    expect(await dialog.locator('button:focus').innerText()).toBe('Keep the saved one')
    await page.keyboard.press('Enter')
    await dialog.waitFor({ state: 'hidden' })
    const kept = await host.request('profiles.get', { ref: 'lab' })
    expect(kept.updatedAt).toBe(before.updatedAt)
    expect(kept.profile.nodes[0]?.hostname).toBe('turing-cp1')

    await form.getByRole('button', { name: 'Import', exact: true }).click()
    await dialog.getByRole('button', { name: 'Replace it' }).click()
    await new ProfileView(page).waitFor('lab')
    expect((await host.request('profiles.get', { ref: 'lab' })).profile.nodes[0]?.hostname).toBe(
      'cp-imported',
    )
  })
})
