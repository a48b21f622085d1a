// Armbian for the Turing RK1 end to end, against a local imitation of the GitHub releases API: the
// images listed with their kernel's NPU support and the trade-off explained, a filter, a release
// deleted upstream kept as such, a download verified against the GitHub digest into the library,
// and the first-boot preset generated (and checked) without being stored.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  fakeRelease,
  rk1,
  startFakeGithubReleases,
  type FakeGithubReleases,
} from '../support/fake-github-releases.ts'
import { imageBytes, pack, sha256, writeImage } from '../support/make-image.ts'
import { makeTempDir } from '../support/temp-dir.ts'
import { startAppHost, type AppHost } from './support/app-host.ts'
import { ArmbianPage } from './support/armbian-page.ts'
import { screenshot } from './support/browser.ts'
import { pagePerTest } from './support/page-per-test.ts'
import { LibraryPage } from './support/library-page.ts'

const vendorName = rk1('26.8.0-trunk.40', 'trixie_vendor_6.1.115_minimal')
const currentName = rk1('26.8.0-trunk.40', 'noble_current_6.18.2')
const oldName = rk1('26.8.0-trunk.33', 'bookworm_vendor_6.1.99_minimal')
const raw = imageBytes(2 * 1024 * 1024, 21)
const sshKey =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl e2e@clusterdeck'

describe('Armbian for the RK1 in Chromium through the WebSocket host', () => {
  let github: FakeGithubReleases
  let host: AppHost
  let files: ReturnType<typeof makeTempDir>

  beforeAll(async () => {
    files = makeTempDir()
    const packed = readFileSync(pack(writeImage(join(files.path, 'armbian.img'), raw), 'xz'))
    const current = imageBytes(1024, 22)
    github = await startFakeGithubReleases([
      fakeRelease(1, '26.8.0-trunk.40', [
        { name: vendorName, body: packed, digest: `sha256:${sha256(packed)}` },
        { name: currentName, body: current },
        { name: `${currentName}.sha`, body: Buffer.from(`${sha256(current)} *${currentName}\n`) },
      ]),
      fakeRelease(2, '26.8.0-trunk.33', [{ name: oldName, body: imageBytes(1024, 23) }]),
    ])
    host = await startAppHost('armbian', { env: { CLUSTERDECK_GITHUB_API_URL: github.url } })
  })

  afterAll(async () => {
    await host?.close()
    await github?.close()
    files?.remove()
  })

  const session = pagePerTest({ url: () => host.url })
  let page: Page
  beforeEach(() => ({ page } = session))

  it('lists the RK1 images, explains the NPU trade-off, filters, and keeps a release deleted upstream', async () => {
    const armbian = new ArmbianPage(page)
    await armbian.open()
    expect((await armbian.imageNames()).sort()).toEqual([currentName, oldName, vendorName].sort())
    const npu = await armbian.npu.innerText()
    expect(npu).toContain('Choose the vendor kernel (6.1)')
    expect(npu).toMatch(/vendor \(Rockchip 6\.1\)[\s\S]*RKNPU driver/)
    expect(npu).toMatch(/current \(mainline\)[\s\S]*no RKNPU driver/)
    expect(await armbian.image(vendorName).innerText()).toMatch(
      /vendor 6\.1\.115[\s\S]*NPU: RKNPU[\s\S]*GitHub digest/i,
    )
    expect(await armbian.image(currentName).innerText()).toMatch(
      /current 6\.18\.2[\s\S]*no RKNPU[\s\S]*\.sha file/i,
    )
    await screenshot(page, 'armbian-list')

    await armbian.filterBranch('Vendor 6.1')
    expect((await armbian.imageNames()).sort()).toEqual([oldName, vendorName].sort())

    github.releases = github.releases.slice(0, 1) // the older release is deleted upstream
    await armbian.root.getByRole('button', { name: 'Refresh' }).click()
    await armbian.image(oldName).getByTestId('vanished').waitFor()
    expect(await armbian.image(oldName).getByRole('button', { name: 'Download' }).isDisabled()).toBe(true)
  })

  it('downloads an image verified against its GitHub digest into the library', async () => {
    const armbian = new ArmbianPage(page)
    await armbian.open()
    const url = `${github.url}/download/26.8.0-trunk.40/${vendorName}`
    await armbian.image(vendorName).getByRole('button', { name: 'Download' }).click()
    const download = armbian.download(url)
    await page
      .locator(`[data-testid="download-row"][data-url="${url}"][data-state="done"]`)
      .waitFor({ timeout: 30_000 })
    expect(await download.innerText()).toContain('verified against the GitHub asset digest')
    await armbian.image(vendorName).getByTestId('in-library').waitFor()
    await screenshot(page, 'armbian-downloaded')

    const library = new LibraryPage(page)
    await library.open()
    const name = vendorName.replace(/\.xz$/, '')
    const row = library.row(name)
    expect(await row.getAttribute('data-sha256')).toBe(sha256(raw))
    expect(await row.getByTestId('image-size').innerText()).toBe('2.00 MiB')
    expect(await row.getByTestId('image-os').innerText()).toBe('armbian 26.8.0 · arm64')
    expect(await library.download(url).getAttribute('data-state')).toBe('done')
    await screenshot(page, 'armbian-in-library')
  })

  it('generates the first-boot preset from the form, refusing a weak password first', async () => {
    const armbian = new ArmbianPage(page)
    await armbian.open()
    await armbian.presetField('hostname').fill('rk1-node-1')
    await armbian.presetField('timezone').fill('Europe/Berlin')
    await armbian.presetField('rootPassword').fill('1234')
    await armbian.presetField('sshPublicKey').fill(sshKey)
    await armbian.preset.getByRole('button', { name: 'Generate preset' }).click()
    await armbian.preset.getByText('must have at least 8 characters', { exact: false }).waitFor()
    expect(await armbian.preset.getByTestId('preset-result').count()).toBe(0)

    await armbian.presetField('rootPassword').fill('correct horse $battery')
    await armbian.preset.getByRole('button', { name: 'Generate preset' }).click()
    const preset = armbian.preset.locator('[data-testid="preset-file"][data-path="/root/.not_logged_in_yet"]')
    await preset.waitFor()
    const text = await preset.getByTestId('preset-text').innerText()
    expect(text).toContain('PRESET_TIMEZONE="Europe/Berlin"')
    expect(text).toContain('PRESET_ROOT_PASSWORD="correct horse \\$battery"')
    expect(text).toContain('PRESET_ROOT_KEY="file:///root/.clusterdeck_authorized_keys"')
    const keyFile = armbian.preset.locator(
      '[data-testid="preset-file"][data-path="/root/.clusterdeck_authorized_keys"]',
    )
    expect((await keyFile.getByTestId('preset-text').innerText()).trim()).toBe(sshKey)
    await screenshot(page, 'armbian-preset')

    // The preset holds a password: changing the form drops it rather than leaving a stale copy.
    await armbian.presetField('hostname').fill('rk1-node-2')
    expect(await armbian.preset.getByTestId('preset-result').count()).toBe(0)
  })
})
