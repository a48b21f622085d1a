// Page objects for the running work in the navigation and the notifications that say it ended.
import type { Locator, Page } from 'playwright-core'

/** The browser globals the recorder uses (these tests compile without the DOM library). */
interface PageGlobals {
  Notification: new (title: string, options?: { body?: string }) => object
  shownNotifications?: Array<{ title: string; body: string }>
}

export class ActivityNav {
  readonly page: Page
  readonly root: Locator
  readonly items: Locator

  constructor(page: Page) {
    this.page = page
    this.root = page.getByTestId('activity')
    this.items = this.root.getByTestId('activity-item')
  }

  async count(): Promise<number> {
    return Number(await this.root.getAttribute('data-count'))
  }

  async waitForCount(count: number, timeout = 30_000): Promise<void> {
    // Empty, the list takes no room (hidden), so wait for the attribute, not for visibility.
    await this.page
      .locator(`[data-testid="activity"][data-count="${count}"]`)
      .waitFor({ timeout, state: 'attached' })
  }

  item(label: string): Locator {
    return this.items.filter({ hasText: label })
  }

  async detail(label: string): Promise<string> {
    return this.item(label).getByTestId('activity-detail').innerText()
  }

  /** The in-app notification with this title. */
  notification(title: string): Locator {
    return this.page.locator('.mantine-Notification-root').filter({ hasText: title })
  }

  /**
   * Before the page loads: notes every system notification the page shows (the browser's own
   * Notification still runs). The returned function reads them.
   */
  static async recordSystemNotifications(
    page: Page,
  ): Promise<() => Promise<Array<{ title: string; body: string }>>> {
    await page.addInitScript(() => {
      const page = globalThis as unknown as PageGlobals
      const Original = page.Notification
      const shown: Array<{ title: string; body: string }> = []
      page.shownNotifications = shown
      page.Notification = class extends Original {
        constructor(title: string, options?: { body?: string }) {
          super(title, options)
          shown.push({ title, body: options?.body ?? '' })
        }
      }
    })
    return () => page.evaluate(() => (globalThis as unknown as PageGlobals).shownNotifications ?? [])
  }
}
