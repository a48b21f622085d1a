// The shell's navigation in Chromium: the page is in the address (#/profiles/lab), so a reload
// stays there and back and forward move between pages; the host's token in the fragment still
// reaches sessionStorage next to a route; unsaved profile edits are not left without a question,
// neither by a link, nor by back, nor by closing the window.
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startAppHost, type AppHost } from './support/app-host.ts'
import { BoardsPage } from './support/boards-page.ts'
import { screenshot } from './support/browser.ts'
import { pagePerTest } from './support/page-per-test.ts'
import { ProfilesPage, ProfileView } from './support/profiles-page.ts'

const profileName = 'lab'

describe('navigation and unsaved edits in Chromium', () => {
  let host: AppHost

  beforeAll(async () => {
    host = await startAppHost('navigation')
    await host.request('virtualBoard.start', { writeSpeedMBps: 4 })
    await host.request('profiles.fromTemplate', {
      template: 'talos-rk1-longhorn',
      name: profileName,
      board: 'Virtual board',
    })
  })

  afterAll(async () => {
    await host?.close()
  })

  const session = pagePerTest({ url: () => host.url })
  let page: Page
  beforeEach(() => ({ page } = session))

  const nav = (label: string) => page.getByRole('navigation').getByRole('link', { name: label, exact: true })
  const fragment = () => new URL(page.url()).hash
  /** The host's `token=…`, as its address carries it. */
  const tokenParam = () => new URL(host.url).hash.slice(1)

  it('keeps the page in the address: a reload stays there, back and forward move between pages', async () => {
    await new BoardsPage(page).waitForList()
    // The token went to sessionStorage; the address shows the route only.
    expect(fragment()).toBe('#/boards')

    await nav('Clusters').click()
    await new ProfilesPage(page).table.waitFor()
    expect(fragment()).toBe('#/clusters')
    await nav(profileName).click()
    const view = new ProfileView(page)
    await view.waitFor(profileName)
    expect(fragment()).toBe('#/profiles/lab')
    expect(await nav(profileName).getAttribute('aria-current')).toBe('page')

    await page.reload()
    await view.waitFor(profileName)
    expect(await page.title()).toBe('lab · Clusterdeck')

    await page.goBack()
    await new ProfilesPage(page).table.waitFor()
    expect(fragment()).toBe('#/clusters')
    await page.goForward()
    await view.waitFor(profileName)

    // A route next to the token: the token is taken, the route opens.
    const token = tokenParam()
    await page.goto('about:blank')
    await page.goto(`${host.origin}#/library&${token}`)
    await page.getByTestId('library-page').waitFor()
    expect(fragment()).toBe('#/library')
    expect(await page.evaluate('sessionStorage.getItem("clusterdeck.token")')).toBe(
      token.slice('token='.length),
    )
  })

  it('asks before unsaved profile edits are left by a link or by back, and the answer is kept', async () => {
    await nav('Clusters').click()
    await nav(profileName).click()
    const view = new ProfileView(page)
    await view.waitFor(profileName)
    const hostname = view.input('nodes[0].hostname')
    await hostname.fill('cp-renamed')

    await nav('Boards').click()
    const dialog = page.getByRole('dialog', { name: 'Leave without saving?' })
    await dialog.waitFor()
    expect(await dialog.innerText()).toContain('Your changes to the profile "lab" are not saved')
    await screenshot(page, 'navigation-leave-unsaved')
    // The safe choice has the focus: Enter keeps the edits.
    expect(await dialog.locator('button:focus').innerText()).toBe('Keep editing')
    await page.keyboard.press('Enter')
    await dialog.waitFor({ state: 'hidden' })
    expect(fragment()).toBe('#/profiles/lab')
    expect(await hostname.inputValue()).toBe('cp-renamed')

    // Back has already moved the address; it returns to the profile until the user answers.
    await page.goBack()
    await dialog.waitFor()
    expect(fragment()).toBe('#/profiles/lab')
    await dialog.getByRole('button', { name: 'Keep editing' }).click()
    expect(await hostname.inputValue()).toBe('cp-renamed')

    await nav('Boards').click()
    await dialog.getByRole('button', { name: 'Discard changes' }).click()
    await new BoardsPage(page).waitForList()
    expect(fragment()).toBe('#/boards')
    expect((await host.request('profiles.get', { ref: profileName })).profile.nodes[0]?.hostname).toBe(
      'turing-cp1',
    )
  })

  it('asks before the window is closed with unsaved edits', async () => {
    await page.goto('about:blank')
    await page.goto(`${host.origin}#/profiles/lab&${tokenParam()}`)
    const view = new ProfileView(page)
    await view.waitFor(profileName)
    // Typed keys, not a filled value: the browser only asks after the user has interacted.
    await view.input('nodes[0].hostname').click()
    await page.keyboard.press('End')
    await page.keyboard.type('-x')
    const asked = page.waitForEvent('dialog')
    await page.close({ runBeforeUnload: true })
    const dialog = await asked
    expect(dialog.type()).toBe('beforeunload')
    await dialog.dismiss()
    expect(page.isClosed()).toBe(false)
    expect(await view.input('nodes[0].hostname').inputValue()).toBe('turing-cp1-x')
  })
})
