// Debian's Chromium driven by playwright-core. Each launch gets a fresh throw-away profile, and the
// flags keep it from reaching out to Google services on a closed network.
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'

export const chromiumPath = process.env.CLUSTERDECK_CHROMIUM ?? '/usr/bin/chromium'

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/** Where the tests leave screenshots for a human to look at. */
export const screenshotDir = process.env.CLUSTERDECK_E2E_SHOTS ?? '/tmp/e2e-shots'

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true, animations: 'disabled' })
}
