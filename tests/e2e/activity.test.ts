// Running work seen from anywhere: a flash started elsewhere shows in the navigation with how far
// it is, links to its board and is announced when it ends (in the app, and by the system where the
// user allowed it); a deployment shows too, its timeline gives the running flash's bytes, percent,
// rate and time left, and the run a time left overall.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Board } from '../../src-shared/boards/board-schemas.ts'
import { imageBytes } from '../support/make-image.ts'
import { ActivityNav } from './support/activity-nav.ts'
import { startAppHost, type AppHost } from './support/app-host.ts'
import { BoardViewPage } from './support/board-view-page.ts'
import { screenshot } from './support/browser.ts'
import { pagePerTest } from './support/page-per-test.ts'
import { TimelinePage } from './support/timeline-page.ts'

const MiB = 1024 * 1024

describe('global activity in Chromium through the WebSocket host', () => {
  let host: AppHost
  let board: Board
  let sha256: string

  beforeAll(async () => {
    host = await startAppHost('activity')
    // 2 MB/s: an 8 MiB image writes in about 4 s, long enough to be seen running.
    board = await host.request('virtualBoard.start', { writeSpeedMBps: 2 })
    const path = join(host.dataDir, 'talos-activity.raw')
    await writeFile(path, imageBytes(8 * MiB, 3))
    sha256 = (await host.request('images.importFile', { path })).sha256
  })

  afterAll(async () => {
    await host?.close()
  })

  const session = pagePerTest({ timeoutMs: 20_000 })
  let page: Page
  beforeEach(() => ({ page } = session))

  it('shows a flash started elsewhere in the navigation, opens its board, and announces when it ends', async () => {
    await session.context.grantPermissions(['notifications'], { origin: host.origin })
    const shown = await ActivityNav.recordSystemNotifications(page)
    await page.goto(host.url)
    await page.getByText('Image library', { exact: true }).click()
    const activity = new ActivityNav(page)
    expect(await activity.count()).toBe(0)

    // As if another window started it.
    await host.request('flash.start', { boardId: board.id, node: 2, image: { kind: 'cached', sha256 } })
    await activity.waitForCount(1)
    const item = activity.item('Flashing node 2 of Virtual board')
    await expect
      .poll(() => activity.detail('Flashing node 2 of Virtual board'), { timeout: 15_000 })
      .toMatch(/writing · \d+% · .*\/s/)
    expect(await item.getAttribute('data-current')).toBe('true')
    await screenshot(page, 'activity-flash-running')

    await item.click()
    const view = new BoardViewPage(page)
    await view.waitFor('Virtual board')
    await activity.notification('Flash finished').waitFor({ timeout: 40_000 })
    expect(await activity.notification('Flash finished').innerText()).toContain(
      'talos-activity.raw on node 2 of Virtual board, verified',
    )
    await activity.waitForCount(0)
    expect(await shown()).toEqual([
      { title: 'Flash finished', body: 'talos-activity.raw on node 2 of Virtual board, verified.' },
    ])
    await screenshot(page, 'activity-flash-finished')
  })

  it('announces a cancelled flash and never asks for system notifications by itself', async () => {
    await page.goto(host.url)
    const activity = new ActivityNav(page)
    const job = await host.request('flash.start', {
      boardId: board.id,
      node: 3,
      image: { kind: 'cached', sha256 },
    })
    await activity.waitForCount(1)
    expect(
      await page.evaluate(
        () => (globalThis as unknown as { Notification: { permission: string } }).Notification.permission,
      ),
    ).toBe('default')
    await activity.root.getByRole('button', { name: 'Also tell me on the desktop when it ends' }).waitFor()
    await host.request('flash.cancel', { jobId: job.id })
    await activity.notification('Flash cancelled').waitFor()
    await activity.waitForCount(0)
  })

  it('follows a deployment: in the navigation, and on its timeline the running flash with bytes, percent, rate and time left', async () => {
    const { saved } = await host.request('profiles.fromTemplate', {
      template: 'talos-rk1-longhorn',
      name: 'activity',
      board: 'Virtual board',
    })
    await host.request('profiles.save', { profile: { ...saved.profile, image: { cached: sha256 } } })
    await page.goto(host.url)
    const activity = new ActivityNav(page)
    await host.request('lifecycle.deploy', { profile: 'activity', throughPhase: 'node-imaging' })
    const item = activity.item('Deploying activity')
    await item.waitFor()
    await expect
      .poll(() => activity.detail('Deploying activity'), { timeout: 30_000 })
      .toMatch(/Flash .* \d+%.*left/)

    await item.click()
    const timeline = new TimelinePage(page)
    await timeline.panel.waitFor()
    const flash = page.getByTestId('step-flash-progress').first()
    await flash.waitFor({ timeout: 30_000 })
    await expect.poll(() => flash.getByTestId('step-flash-bytes').innerText()).toMatch(/MiB of 8\.00 MiB/)
    await expect
      .poll(() => flash.getByTestId('step-flash-speed').innerText())
      .toMatch(/^[\d.]+ (KiB|MiB)\/s · .* left$/)
    expect(await page.getByTestId('run-eta').innerText()).toMatch(/about .* left/)
    await expect
      .poll(() =>
        timeline.timeline.locator('[data-testid="step-bar"][data-state="running"]').first().innerText(),
      )
      .toMatch(/\d+% ·/)
    await screenshot(page, 'activity-deploy-timeline')

    await timeline.waitForRunState('done', 120_000)
    await activity.notification('Deployment finished').waitFor()
    expect(await page.getByTestId('run-eta').count()).toBe(0)
    await activity.waitForCount(0)
  })
})
