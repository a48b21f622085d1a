// Page objects for deploying and watching a run: the dry-run plan, the deploy confirmation, the
// timeline's bars and phases, the step log drawer and the report export.
import { readFile } from 'node:fs/promises'
import type { Locator, Page } from 'playwright-core'
import { selectOption } from './profiles-page.ts'

/** The browser globals the in-page recorder uses (these tests compile without the DOM library). */
interface PageGlobals {
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: object): void }
  document: { querySelectorAll(selector: string): Iterable<{ getAttribute(name: string): string | null }> }
  stepStates?: Record<string, string[]>
}

export class PlanView {
  readonly root: Locator

  constructor(page: Page) {
    this.root = page.getByTestId('plan-view')
  }

  phase(phase: string): Locator {
    return this.root.locator(`[data-testid="plan-phase"][data-phase="${phase}"]`)
  }

  async stepIds(phase: string): Promise<string[]> {
    return this.phase(phase)
      .getByTestId('plan-step')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-step-id') ?? ''))
  }
}

export class DeployDialog {
  readonly page: Page
  readonly root: Locator

  constructor(page: Page, profileName: string) {
    this.page = page
    this.root = page.getByRole('dialog', { name: `Deploy ${profileName}?` })
  }

  async nodes(): Promise<string[]> {
    return this.root
      .getByTestId('deploy-node')
      .evaluateAll((rows) => rows.map((row) => row.textContent ?? ''))
  }

  async goThrough(label: string): Promise<void> {
    await selectOption(this.page, this.root.getByRole('combobox', { name: 'Go as far as' }), label)
  }

  async confirm(): Promise<void> {
    await this.root.getByRole('button', { name: 'Deploy', exact: true }).click()
    await this.root.waitFor({ state: 'hidden' })
  }
}

export class TimelinePage {
  readonly page: Page
  readonly panel: Locator
  readonly timeline: Locator
  readonly history: Locator
  readonly logDrawer: Locator

  constructor(page: Page) {
    this.page = page
    this.panel = page.getByTestId('run-panel')
    this.timeline = page.getByTestId('run-timeline')
    this.history = page.getByTestId('run-history')
    this.logDrawer = page.getByRole('dialog').filter({ has: page.getByTestId('step-log') })
  }

  bar(stepId: string): Locator {
    return this.timeline.locator(`[data-testid="step-bar"][data-step-id="${stepId}"]`)
  }

  phase(phase: string): Locator {
    return this.timeline.locator(`[data-testid="timeline-phase"][data-phase="${phase}"]`)
  }

  async runState(): Promise<string | null> {
    return this.panel.getAttribute('data-run-state')
  }

  async waitForRunState(state: string, timeout = 90_000): Promise<void> {
    await this.page.locator(`[data-testid="run-panel"][data-run-state="${state}"]`).waitFor({ timeout })
  }

  async waitForStep(stepId: string, state: string, timeout = 60_000): Promise<void> {
    await this.timeline
      .locator(`[data-testid="step-bar"][data-step-id="${stepId}"][data-state="${state}"]`)
      .waitFor({ timeout })
  }

  /**
   * Notes every state each step's bar shows, however briefly (a poll from the test could miss a
   * state that lasts one render); the returned function reads them.
   */
  async recordStates(): Promise<() => Promise<Record<string, string[]>>> {
    await this.page.evaluate(() => {
      const page = globalThis as unknown as PageGlobals
      const seen: Record<string, string[]> = {}
      page.stepStates = seen
      const note = () => {
        for (const bar of page.document.querySelectorAll('[data-testid="step-bar"]')) {
          const id = bar.getAttribute('data-step-id') ?? ''
          const state = bar.getAttribute('data-state') ?? ''
          const states = (seen[id] ??= [])
          if (states.at(-1) !== state) states.push(state)
        }
      }
      note()
      new page.MutationObserver(note).observe(page.document, {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ['data-state'],
      })
    })
    return () => this.page.evaluate(() => (globalThis as unknown as PageGlobals).stepStates ?? {})
  }

  async openLog(stepId: string): Promise<Locator> {
    await this.bar(stepId).click()
    const log = this.page.getByTestId('step-log')
    await log.waitFor()
    return log
  }

  async exportReport(format: 'Markdown (.md)' | 'HTML (.html)'): Promise<{ fileName: string; text: string }> {
    await this.panel.getByRole('button', { name: 'Export report' }).click()
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByRole('menuitem', { name: format }).click(),
    ])
    return { fileName: download.suggestedFilename(), text: await readFile(await download.path(), 'utf8') }
  }
}
