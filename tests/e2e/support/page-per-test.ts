// The frame every end-to-end test file shares: one Chromium for the file, and for each test a fresh
// context and page, closed afterwards. An uncaught error in the renderer blanks the page, so each
// test also fails naming it rather than timing out on a locator.
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest'
import { launchChromium } from './browser.ts'

export interface PagePerTestOptions {
  viewport?: { width: number; height: number }
  timeoutMs?: number
  acceptDownloads?: boolean
  /** The address each test's page opens first; absent: the test opens it itself. */
  url?: () => string
}

export interface PagePerTest {
  readonly browser: Browser
  readonly context: BrowserContext
  readonly page: Page
}

export function pagePerTest(options: PagePerTestOptions = {}): PagePerTest {
  let browser: Browser | undefined
  let context: BrowserContext | undefined
  let page: Page | undefined
  let pageErrors: string[] = []

  beforeAll(async () => {
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
  })

  beforeEach(async () => {
    context = await browser!.newContext({
      viewport: options.viewport ?? { width: 1440, height: 1000 },
      ...(options.acceptDownloads ? { acceptDownloads: true } : {}),
    })
    context.setDefaultTimeout(options.timeoutMs ?? 15_000)
    pageErrors = []
    context.on('weberror', (error) => pageErrors.push(error.error().message))
    page = await context.newPage()
    if (options.url) await page.goto(options.url())
  })

  afterEach(async () => {
    await context?.close()
    expect(pageErrors, 'uncaught errors in the page').toEqual([])
  })

  return {
    get browser() {
      return browser!
    },
    get context() {
      return context!
    },
    get page() {
      return page!
    },
  }
}
