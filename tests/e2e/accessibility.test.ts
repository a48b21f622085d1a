// Accessibility end to end: axe-core finds no serious or critical violation on any page or key
// dialog, nor in the run states a deployment goes through (in light and dark colour schemes),
// flash progress is named and announced, and every page is reached by the keyboard alone, from
// the navigation.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  fakeRelease,
  rk1,
  startFakeGithubReleases,
  type FakeGithubReleases,
} from '../support/fake-github-releases.ts'
import { startFakeImageFactory, type FakeImageFactory } from '../support/fake-image-factory.ts'
import { sealBootstrappedCluster, type BootstrappedCluster } from '../support/bootstrapped-cluster.ts'
import { imageBytes } from '../support/make-image.ts'
import { startAppHost, type AppHost } from './support/app-host.ts'
import { seriousAxeFindings } from './support/axe.ts'
import { BoardViewPage } from './support/board-view-page.ts'
import { BoardsPage } from './support/boards-page.ts'
import { pagePerTest } from './support/page-per-test.ts'
import { ProfileView } from './support/profiles-page.ts'
import { DeployDialog, PlanView, TimelinePage } from './support/timeline-page.ts'

const boardName = 'Virtual board'
const profileName = 'lab'
/** A second profile on the same slots, deployed to show every run and step state. */
const runsProfile = 'lab-runs'
const MiB = 1024 * 1024

describe('accessibility in Chromium through the WebSocket host', () => {
  let factory: FakeImageFactory
  let github: FakeGithubReleases
  let host: AppHost
  let cluster: BootstrappedCluster

  beforeAll(async () => {
    factory = await startFakeImageFactory()
    github = await startFakeGithubReleases([
      fakeRelease(1, '26.8.0-trunk.40', [
        { name: rk1('26.8.0-trunk.40', 'bookworm_vendor_6.1.115_minimal'), body: imageBytes(1024, 1) },
      ]),
    ])
    host = await startAppHost('a11y', {
      env: { CLUSTERDECK_FACTORY_URL: factory.url, CLUSTERDECK_GITHUB_API_URL: github.url },
    })
    await host.request('virtualBoard.start', { writeSpeedMBps: 2 })
    await host.request('profiles.fromTemplate', {
      template: 'talos-rk1-longhorn',
      name: profileName,
      board: boardName,
    })
    // Its cluster as a bootstrap leaves it, so the access page has configs to offer.
    cluster = await sealBootstrappedCluster(host.core, host.secrets, { name: profileName, board: boardName })
    await host.request('profiles.fromTemplate', {
      template: 'talos-rk1-longhorn',
      name: runsProfile,
      board: boardName,
    })
  })

  afterAll(async () => {
    await cluster?.forget()
    await host?.close()
    await github?.close()
    await factory?.close()
  })

  const session = pagePerTest({ url: () => host.url })
  let page: Page
  beforeEach(() => ({ page } = session))

  const nav = (label: string) => page.getByRole('navigation').getByRole('link', { name: label, exact: true })

  async function expectNoSeriousFindings(where: string, decideContrastIn?: string): Promise<void> {
    // Transitions finish first: a half-faded dialog has no contrast to speak of.
    await page.waitForTimeout(300)
    // Soft: the test goes on, so one run lists the findings of every view it reaches.
    expect.soft(await seriousAxeFindings(page, undefined, { decideContrastIn }), where).toEqual([])
  }

  async function dialog(name: string, open: () => Promise<void>, close = 'Escape'): Promise<void> {
    await open()
    const shown = page.getByRole('dialog', { name })
    await shown.waitFor()
    await expectNoSeriousFindings(`dialog "${name}"`)
    await page.keyboard.press(close)
    await shown.waitFor({ state: 'hidden' })
  }

  for (const scheme of ['light', 'dark'] as const) {
    it(`finds no serious or critical violation on any page or key dialog (${scheme})`, async () => {
      await page.emulateMedia({ colorScheme: scheme })
      await page.reload()
      await new BoardsPage(page).waitForList()
      expect(await page.locator('html').getAttribute('data-mantine-color-scheme')).toBe(scheme)
      await expectNoSeriousFindings('boards')
      await dialog('Add a board', () => page.getByRole('button', { name: 'Add board' }).click())
      await dialog('Remove board?', () =>
        page
          .locator(`[data-testid="board-row"][data-board-name="${boardName}"]`)
          .getByRole('button', { name: 'Remove' })
          .click(),
      )

      await nav(boardName).click()
      const view = new BoardViewPage(page)
      await view.waitFor(boardName)
      await page.locator('[data-testid="node-slot"][data-node="1"]:not([data-power="unknown"])').waitFor()
      await expectNoSeriousFindings('board view')
      await dialog('Power off all nodes?', () =>
        view.root.getByRole('button', { name: 'Power all off' }).click(),
      )

      await nav('Clusters').click()
      await page.getByTestId('profiles-table').waitFor()
      await expectNoSeriousFindings('clusters')
      await dialog('New cluster profile', () =>
        page.getByRole('button', { name: 'New from template' }).click(),
      )
      await dialog('Import a profile', () =>
        page.getByRole('button', { name: 'Import YAML' }).first().click(),
      )

      await nav(profileName).click()
      const profile = new ProfileView(page)
      await profile.waitFor(profileName)
      await profile.waitForValidation()
      await expectNoSeriousFindings('profile')
      await dialog(`Dry run of ${profileName}`, () => profile.button('Dry run').click())
      await dialog(`Deploy ${profileName}?`, () => profile.button('Deploy').click())
      await profile.tab('Runs').click()
      await expectNoSeriousFindings('profile runs')

      await nav(`Access to ${profileName}`).click()
      await page.locator('[data-testid="machine-config"]:visible').waitFor()
      await page.getByTestId('health-unreachable').waitFor()
      await page.getByRole('button', { name: 'Show the Grafana password' }).click()
      await page.getByTestId('grafana-password').waitFor()
      await expectNoSeriousFindings('cluster access and health')
      await dialog(`Merge the kubeconfig of ${profileName}?`, () =>
        page.getByRole('button', { name: 'Merge into ~/.kube/config' }).click(),
      )

      await nav('Image library').click()
      await page.getByTestId('library-page').waitFor()
      await expectNoSeriousFindings('library')

      await nav('Talos builder').click()
      await page.locator('[data-testid="schematic-status"]').waitFor()
      await expectNoSeriousFindings('Talos builder')

      await nav('Armbian for RK1').click()
      await page.getByTestId('armbian-table').waitFor()
      await expectNoSeriousFindings('Armbian')
    })
  }

  for (const scheme of ['light', 'dark'] as const) {
    it(`finds no serious or critical violation in any run or step state (${scheme})`, async () => {
      await page.emulateMedia({ colorScheme: scheme })
      await page.reload()
      await new BoardsPage(page).waitForList()
      await nav(runsProfile).click()
      const view = new ProfileView(page)
      await view.waitFor(runsProfile)
      // An image file that is not there yet: image preparation fails and blocks the flashes; the
      // later phases are outside the run.
      // (Named afresh on each attempt: a retry finds the last attempt's file in place.)
      const image = join(host.dataDir, `talos-a11y-${scheme}-${Date.now()}.raw`)
      await view.editor.getByTestId('image-source').first().getByText('File', { exact: true }).click()
      await view.input('image.file').fill(image)
      await view.save()
      const timeline = new TimelinePage(page)
      await deploy(view)
      await timeline.waitForRunState('failed')
      await timeline.phase('cluster-bootstrap').getByRole('button', { expanded: false }).click()
      expect(await statesShown()).toEqual(expect.arrayContaining(['failed', 'blocked', 'not-run']))
      await expectNoSeriousFindings('failed run with blocked and not-run steps', runPanel)

      // Retried with the image there: running flashes, seen on the timeline and the board's slots.
      await writeFile(image, imageBytes(2 * MiB, scheme === 'light' ? 11 : 12))
      await page.getByTestId('failed-steps').getByRole('button', { name: 'Retry' }).click()
      await timeline.waitForStep('flash:turing-w1', 'running')
      expect(await statesShown()).toEqual(expect.arrayContaining(['done', 'running', 'pending']))
      await expectNoSeriousFindings('running run', runPanel)
      await timeline.waitForRunState('done')
      await expectNoSeriousFindings('done run', runPanel)

      // Deployed again and cancelled mid-flash: done, cancelled and never-started steps side by side.
      await deploy(view)
      await timeline.waitForStep('flash:turing-w1', 'running')
      await nav(boardName).click()
      await page.locator('[data-testid="slot-power"]', { hasText: 'flashing' }).first().waitFor()
      await expectNoSeriousFindings('board view with a slot flashing')
      await nav(runsProfile).click()
      await view.waitFor(runsProfile)
      await view.tab('Runs').click()
      await timeline.history.getByTestId('run-history-row').first().click()
      await timeline.panel.getByRole('button', { name: 'Cancel run' }).click()
      await page
        .getByRole('dialog', { name: 'Cancel the run?' })
        .getByRole('button', { name: 'Stop the run' })
        .click()
      await timeline.waitForRunState('cancelled')
      expect(await statesShown()).toEqual(expect.arrayContaining(['done', 'cancelled']))
      await expectNoSeriousFindings('cancelled run', runPanel)
      await timeline.panel.getByRole('button', { name: 'Resume' }).click()
      await timeline.waitForRunState('done')
      await expectNoSeriousFindings('resumed run', runPanel)

      // Destroyed with every node off: its resets and power-offs skip, as already in place.
      await nav(boardName).click()
      await page.getByRole('button', { name: 'Power all off' }).click()
      await page
        .getByRole('dialog', { name: 'Power off all nodes?' })
        .getByRole('button', { name: 'Power off' })
        .click()
      for (const node of [1, 2, 3, 4]) {
        await page.locator(`[data-testid="node-slot"][data-node="${node}"][data-power="off"]`).waitFor()
      }
      await nav(runsProfile).click()
      await view.waitFor(runsProfile)
      await view.button('Dry run').click()
      const plan = new PlanView(page)
      await plan.root.waitFor()
      await plan.root.getByTestId('plan-operation').getByText('Destroy').click()
      // By keyboard: the notifications of the runs before sit over the button.
      await plan.root.getByRole('button', { name: 'Destroy…' }).press('Enter')
      const destroy = page.getByRole('dialog', { name: `Destroy ${runsProfile}?` })
      await destroy.getByLabel(`Type ${runsProfile} to confirm`).fill(runsProfile)
      await destroy.getByRole('button', { name: 'Destroy the cluster' }).click()
      await expect.poll(statesShown, { timeout: 30_000 }).toEqual(expect.arrayContaining(['skipped']))
      await page.locator(`${runPanel}:not([data-run-state="running"])`).waitFor()
      await expectNoSeriousFindings('destroy with skipped steps', runPanel)
      await view.tab('Runs').click()
      await timeline.history.waitFor()
      await expectNoSeriousFindings('run history', runPanel)
    })
  }

  const runPanel = '[data-testid="run-panel"]'

  /** The states the timeline's bars and chips show now, so a check says which it covered. */
  async function statesShown(): Promise<string[]> {
    const states = await page
      .locator('[data-testid="run-timeline"] [data-testid="step-bar"]')
      .evaluateAll((bars) => bars.map((bar) => bar.getAttribute('data-state') ?? ''))
    return [...new Set(states)]
  }

  async function deploy(view: ProfileView): Promise<void> {
    await view.button('Deploy').click()
    const dialog = new DeployDialog(page, runsProfile)
    await dialog.root.waitFor()
    await dialog.goThrough('Through node imaging')
    await dialog.confirm()
  }

  it('names the flash progress bar and announces phases politely, not every percent', async () => {
    await nav(boardName).click()
    const view = new BoardViewPage(page)
    await view.waitFor(boardName)
    const slot = view.slot(3)
    await slot.dropFile('a11y.img', imageBytes(8 * MiB, 3))
    await slot.flashDialog(boardName).confirm('Flash node 3')
    await slot.waitForPhase('writing')
    const bar = slot.root.getByRole('progressbar', { name: 'Flash of node 3: writing' })
    await bar.waitFor()
    const announcer = slot.root.locator('[role="status"][aria-live="polite"]')
    expect(await announcer.textContent()).toBe('Node 3: writing a11y.img')
    const before = await bar.getAttribute('aria-valuenow')
    await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: 10_000 }).not.toBe(before)
    // The bar moved; the announcement did not.
    expect(await announcer.textContent()).toBe('Node 3: writing a11y.img')
    await expectNoSeriousFindings('flash running')
    await slot.root.locator('[data-testid="flash-result"][data-outcome="done"]').waitFor({ timeout: 60_000 })
    expect(await announcer.textContent()).toMatch(/^Node 3: flashed a11y\.img/)
  })

  it('reaches every page by keyboard alone: Tab to the entry in the navigation, Enter', async () => {
    await new BoardsPage(page).waitForList()
    const pages: [string, () => Promise<void>][] = [
      ['Clusters', () => page.getByTestId('profiles-table').waitFor()],
      [profileName, () => new ProfileView(page).waitFor(profileName)],
      [`Access to ${profileName}`, () => page.getByTestId('cluster-page').waitFor()],
      ['Image library', () => page.getByTestId('library-page').waitFor()],
      ['Talos builder', () => page.getByTestId('talos-builder').waitFor()],
      ['Armbian for RK1', () => page.getByTestId('armbian-page').waitFor()],
      [boardName, () => new BoardViewPage(page).waitFor(boardName)],
      ['Boards', () => page.getByTestId('board-row').first().waitFor()],
    ]
    for (const [label, arrived] of pages) {
      await tabTo(page, label)
      await page.keyboard.press('Enter')
      await arrived()
    }

    // An action on a page, by keyboard too: Add board opens its dialog, Escape closes it.
    await tabTo(page, 'Add board')
    await page.keyboard.press('Enter')
    await page.getByRole('dialog', { name: 'Add a board' }).waitFor()
    await page.keyboard.press('Escape')
    await page.getByRole('dialog', { name: 'Add a board' }).waitFor({ state: 'hidden' })
  })
})

/** Presses Tab until the focused element's accessible text is `label`; fails after 80 presses. */
async function tabTo(page: Page, label: string): Promise<void> {
  const seen: string[] = []
  for (let press = 0; press < 80; press++) {
    await page.keyboard.press('Tab')
    const focused = (await page.evaluate(
      '(document.activeElement?.getAttribute("aria-label") || document.activeElement?.textContent || "").trim()',
    )) as string
    if (focused === label) return
    seen.push(focused)
  }
  throw new Error(`Tab never reached "${label}"; it went through: ${seen.join(' | ')}`)
}
