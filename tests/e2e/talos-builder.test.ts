// The Talos image builder end to end: the schematic ID follows the form, computed offline exactly
// as the Image Factory does (613e1592… for the longhorn preset without an overlay, 85f68390… with
// the RK1's); the catalogue and confirmations come from a local imitation of the factory, which
// can also be made to disagree; schematics are saved and loaded back.
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startFakeImageFactory, type FakeImageFactory } from '../support/fake-image-factory.ts'
import { startAppHost, type AppHost } from './support/app-host.ts'
import { screenshot } from './support/browser.ts'
import { pagePerTest } from './support/page-per-test.ts'
import { TalosBuilderPage } from './support/talos-builder-page.ts'

const longhornMetal = '613e1592b2da41ae5e265e8789429f22e121aab91cb4deb6bc3c0b6262961245'
const longhornRk1 = '85f683902139269fbc5a7f64ea94a694d31e0b3d94347a225223fcbd042083ae'

describe('the Talos image builder in Chromium through the WebSocket host', () => {
  let factory: FakeImageFactory
  let host: AppHost

  beforeAll(async () => {
    factory = await startFakeImageFactory()
    host = await startAppHost('talos-builder', { env: { CLUSTERDECK_FACTORY_URL: factory.url } })
  })

  afterAll(async () => {
    await host?.close()
    await factory?.close()
  })

  beforeEach(() => {
    factory.behaviour = 'normal'
  })

  const session = pagePerTest({ viewport: { width: 1440, height: 1100 }, url: () => host.url })
  let page: Page
  beforeEach(() => ({ page } = session))

  it('shows 613e1592… for the longhorn preset on generic metal arm64 and 85f68390… on the RK1, computed offline', async () => {
    const builder = new TalosBuilderPage(page)
    await builder.open()
    await builder.chooseVersion('v1.9.2')
    await builder.chooseBoard('Generic metal / VM (arm64)')
    await builder.choosePreset('Longhorn')
    await builder.waitForId(longhornMetal)
    expect(await builder.status.getAttribute('data-status')).toBe('offline')
    // Computed offline: the factory was asked for its catalogue, never for this schematic.
    expect(factory.requests.filter((request) => request.startsWith('POST'))).toEqual([])
    expect(await builder.text('schematic-yaml')).toBe(
      'customization:\n    systemExtensions:\n        officialExtensions:\n            - siderolabs/iscsi-tools\n            - siderolabs/util-linux-tools\n',
    )
    expect(await builder.text('image-url')).toBe(
      `${factory.url}/image/${longhornMetal}/v1.9.2/metal-arm64.raw.zst`,
    )
    expect(await builder.text('installer-image')).toBe(
      `${new URL(factory.url).host}/metal-installer/${longhornMetal}:v1.9.2`,
    )
    await screenshot(page, 'talos-builder-metal')

    await builder.chooseBoard('Turing RK1')
    await builder.waitForId(longhornRk1)
    expect(await builder.text('schematic-yaml')).toMatch(
      /^overlay:\n {4}image: siderolabs\/sbc-rockchip\n {4}name: turingrk1\n/,
    )
    // An SBC image is always raw.xz; the overlay picks the board.
    expect(await builder.text('image-url')).toBe(
      `${factory.url}/image/${longhornRk1}/v1.9.2/metal-arm64.raw.xz`,
    )
    await screenshot(page, 'talos-builder-rk1')

    // The imitation builds no images: the download fails, saying what could not be fetched.
    await builder.result.getByRole('button', { name: 'Download into the library' }).click()
    const download = builder.result.locator('[data-testid="download-row"][data-state="failed"]')
    await download.waitFor({ timeout: 30_000 })
    expect(await download.innerText()).toMatch(/404|not found/i)
    await download.getByRole('button', { name: /Resume|Try again/ }).waitFor()
    await screenshot(page, 'talos-builder-download-failed')
  })

  it('confirms the ID with the factory, and shows a mismatch prominently', async () => {
    const builder = new TalosBuilderPage(page)
    await builder.open()
    await builder.chooseBoard('Turing RK1')
    await builder.choosePreset('Longhorn')
    await builder.waitForId(longhornRk1)
    await builder.confirmWithFactory()
    await page.locator('[data-testid="schematic-status"][data-status="confirmed"]').waitFor()
    expect(factory.requests).toContain('POST /schematics')

    factory.behaviour = 'wrong-id'
    await builder.choosePreset('Longhorn + NFS')
    await builder.confirmWithFactory()
    await builder.mismatch.waitFor()
    expect(await builder.status.getAttribute('data-status')).toBe('mismatch')
    const factoryId = await builder.mismatch.locator('code').innerText()
    expect(factoryId).toMatch(/^[0-9a-f]{64}$/)
    // The factory is authoritative: its ID names the image.
    expect(await builder.text('image-url')).toContain(`/image/${factoryId}/`)
    await screenshot(page, 'talos-builder-mismatch')
  })

  it('saves a schematic with a static network (META key 10) and loads it back', async () => {
    const builder = new TalosBuilderPage(page)
    await builder.open()
    await builder.chooseBoard('Turing RK1')
    await builder.choosePreset('Longhorn')
    await builder.root.getByTestId('static-network').click()
    await builder.root.locator('input[name="address"]').fill('10.0.0.11')
    await builder.root.getByText('must be an IP address with its prefix length', { exact: false }).waitFor()
    await builder.root.locator('input[name="address"]').fill('10.0.0.11/24')
    await builder.root.locator('input[name="gateway"]').fill('10.0.0.1')
    await builder.root.locator('input[name="hostname"]').fill('rk1-node-1')
    await builder.root.locator('input[name="kernel-args"]').fill('console=ttyS2,115200')
    await expect.poll(() => builder.text('schematic-yaml')).toContain('- key: 10')
    const id = await builder.schematicId.innerText()
    expect(id).not.toBe(longhornRk1)
    await builder.save('rk1-node-1')
    await screenshot(page, 'talos-builder-network')

    await builder.choosePreset('None')
    await builder.root.getByTestId('static-network').click()
    await expect.poll(() => builder.schematicId.innerText()).not.toBe(id)
    await builder.savedRow('rk1-node-1').getByRole('button', { name: 'Load' }).click()
    await builder.waitForId(id)
    expect(await builder.root.locator('input[name="address"]').inputValue()).toBe('10.0.0.11/24')
    expect((await host.request('factory.schematics.list', {})).map((saved) => saved.name)).toEqual([
      'rk1-node-1',
    ])
  })
})

describe('the Talos builder without the factory', () => {
  let host: AppHost

  // Nothing listens on port 9 of loopback: the catalogue was never fetched and cannot be.
  beforeAll(async () => {
    host = await startAppHost('talos-builder-offline', {
      env: { CLUSTERDECK_FACTORY_URL: 'http://127.0.0.1:9' },
    })
  })

  afterAll(async () => {
    await host?.close()
  })

  const session = pagePerTest({ viewport: { width: 1440, height: 1100 }, url: () => host.url })
  let page: Page
  beforeEach(() => ({ page } = session))

  it('takes a Talos version typed key by key, saying what is wrong until it is one', async () => {
    const builder = new TalosBuilderPage(page)
    await builder.open()
    const version = builder.root.getByRole('textbox', { name: 'Talos version' })
    await version.pressSequentially('v1.9')
    expect(await builder.root.getByText('"v1.9" is not a Talos version such as v1.9.2').count()).toBe(1)
    await version.pressSequentially('.2')
    await builder.waitForId(longhornRk1)
    await expect.poll(() => builder.text('image-url')).toContain('/v1.9.2/metal-arm64.raw.xz')
    expect(await builder.root.getByText('is not a Talos version', { exact: false }).count()).toBe(0)
    expect(await page.getByTestId('page-error').count()).toBe(0)
    // Both lists fail for one reason, said once, in words and not as a system error code alone.
    await builder.root.getByTestId('extensions-unavailable').waitFor()
    const alerts = builder.root.locator('.mantine-Alert-root')
    expect(await alerts.count()).toBe(1)
    expect(await alerts.innerText()).toContain('the connection was refused')
  })

  it('puts the static network on end0 for the RK1 and eth0 for a VM, keeping a name typed by hand', async () => {
    const builder = new TalosBuilderPage(page)
    await builder.open()
    await builder.root.getByTestId('static-network').click()
    const link = builder.root.locator('input[name="link"]')
    expect(await link.inputValue()).toBe('end0')
    await builder.chooseBoard('Generic metal / VM (amd64)')
    expect(await link.inputValue()).toBe('eth0')
    await builder.chooseBoard('Turing RK1')
    expect(await link.inputValue()).toBe('end0')
    await link.fill('enP4p65s0')
    await builder.chooseBoard('Generic metal / VM (arm64)')
    expect(await link.inputValue()).toBe('enP4p65s0')
  })
})
