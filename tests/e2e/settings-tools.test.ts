// Settings → Tools in Chromium through the WebSocket host: what each tool resolves to, the user's
// own binary taken and forgotten, and an install that cannot reach the release server (these
// machines are offline) failing with the tool named and a way out.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startAppHost, type AppHost } from './support/app-host.ts'
import { pagePerTest } from './support/page-per-test.ts'

describe('Settings → Tools in Chromium', () => {
  let host: AppHost
  beforeAll(async () => {
    host = await startAppHost('settings-tools')
  })
  afterAll(async () => {
    await host?.close()
  })

  const session = pagePerTest({ url: () => host.url })
  let page: Page
  beforeEach(() => ({ page } = session))

  async function openSettings() {
    await page.getByText('Settings', { exact: true }).click()
    await page.getByTestId('tools-section').waitFor()
  }

  it('shows each tool, takes the user’s own helm when its version fits, and forgets it again', async () => {
    // The project's own stand-in for a helm binary: a script that answers `helm version` like helm.
    const mine = join(host.dataDir, 'my-helm')
    writeFileSync(mine, "#!/bin/sh\nprintf 'v4.0.7'\n", { mode: 0o755 })
    await openSettings()
    const helm = page.getByTestId('tool-helm')
    await helm.getByLabel('Your own helm').fill(mine)
    await helm.getByRole('button', { name: 'Use this path' }).click()
    await expect.poll(() => page.getByTestId('tool-helm-path').textContent()).toBe(mine)
    await expect.poll(() => helm.textContent()).toContain('v4.0.7 · your configured path')

    await helm.getByRole('button', { name: 'Forget my path' }).click()
    await expect.poll(async () => (await helm.textContent()) ?? '').not.toContain('your configured path')
  })

  it('says which tool could not be downloaded, and what to do, when offline', async () => {
    await openSettings()
    const talosctl = page.getByTestId('tool-talosctl')
    await talosctl.getByRole('button', { name: 'Install talosctl v1.13.7' }).click()
    const notice = page.getByText(/Could not fetch talosctl v1\.13\.7/)
    await notice.waitFor({ timeout: 30_000 })
    expect(await page.getByText(/clusterdeck tools set-path talosctl PATH/).count()).toBeGreaterThan(0)
  })
})
