// A K3s profile in Chromium through the WebSocket host: its Node access section (login user, time
// zone, the user's keys) checked as the user types and saved, and a deploy whose drive step stopped
// for a typed confirmation: the failed step shows the phrase, the retry stays disabled until the
// phrase is typed exactly, and then runs the step again. The run is written to the app's
// database as a stopped deploy leaves it (no K3s node is deployed here).
import { randomUUID } from 'node:crypto'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { RunRepository } from '../../src-main/lifecycle/run-repository.ts'
import { openDatabase } from '../../src-main/store/database.ts'
import { compilePlan } from '../../src-shared/lifecycle/compile-plan.ts'
import type { Run } from '../../src-shared/lifecycle/run-schema.ts'
import { startAppHost, type AppHost } from './support/app-host.ts'
import { seriousAxeFindings } from './support/axe.ts'
import { pagePerTest } from './support/page-per-test.ts'
import { ProfilesPage, ProfileView } from './support/profiles-page.ts'
import { TimelinePage } from './support/timeline-page.ts'

const profileName = 'edge'
const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9mY2x1c3RlcmRlY2t0ZXN0a2V5MDEyMzQ1Njc4OQ me@laptop'
const phrase = 'erase /dev/nvme0n1 on turing-w1'
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString()

describe('a K3s profile in Chromium', () => {
  let host: AppHost

  beforeAll(async () => {
    host = await startAppHost('k3s')
    await host.request('virtualBoard.start', { writeSpeedMBps: 2 })
    await host.request('profiles.fromTemplate', {
      template: 'k3s-rk1-armbian',
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

  async function openProfile(): Promise<ProfileView> {
    const profiles = new ProfilesPage(page)
    await profiles.open()
    await profiles.row(profileName).click()
    const view = new ProfileView(page)
    await view.waitFor(profileName)
    return view
  }

  it('edits the node access: a bad key is shown at its field, the fixed profile saves', async () => {
    const view = await openProfile()
    const section = page.locator('[data-testid="profile-section"][data-section="Node access"]')
    await section.waitFor()
    expect(await view.input('nodeAccess.user').inputValue()).toBe('root')
    expect(await view.input('nodeAccess.timezone').inputValue()).toBe('UTC')

    const keys = view.field('nodeAccess.authorizedKeys').locator('textarea')
    await keys.fill('not a key')
    await view.waitForValidation()
    await expect.poll(() => view.errorOf('nodeAccess.authorizedKeys')).toMatch(/OpenSSH public key line/)
    await keys.fill(key)
    await view.input('nodeAccess.user').fill('admin')
    await view.input('nodeAccess.timezone').fill('Europe/Berlin')
    await expect.poll(() => view.errorOf('nodeAccess.authorizedKeys')).toBe('')
    expect(await seriousAxeFindings(page)).toEqual([])
    await view.save()
    const saved = await host.request('profiles.get', { ref: profileName })
    expect(saved.profile.nodeAccess).toEqual({
      user: 'admin',
      timezone: 'Europe/Berlin',
      authorizedKeys: [key],
    })
  })

  it('asks for the phrase in the failed step and retries with it once typed', async () => {
    const saved = await host.request('profiles.get', { ref: profileName })
    const plan = compilePlan(saved.profile)
    const stepId = 'k3s:prepare:turing-w1'
    const now = new Date().toISOString()
    const run: Run = {
      id: randomUUID(),
      operation: 'deploy',
      profileId: saved.id,
      profileName,
      distribution: 'k3s',
      plan,
      throughPhase: 'cluster-bootstrap',
      state: 'failed',
      createdAt: now,
      finishedAt: now,
      message: 'Failed: Prepare turing-w1.',
      // Imaging done, the bootstrap blocked by the failed step, what comes after outside the run.
      steps: plan.steps.map((step) => {
        const imaged = step.phase === 'image-preparation' || step.phase === 'node-imaging'
        return {
          stepId: step.id,
          state: imaged ? 'done' : step.phase === 'cluster-bootstrap' ? 'blocked' : 'not-run',
          attempts: imaged ? 1 : 0,
          startedAt: imaged ? minutesAgo(10) : null,
          finishedAt: imaged ? minutesAgo(2) : null,
          message: null,
          earlierAttempts: [],
        }
      }),
    }
    const db = openDatabase(host.dataDir)
    try {
      const runs = new RunRepository(db)
      runs.create(run, saved.profile)
      runs.updateStep(run.id, stepId, {
        state: 'failed',
        attempts: 1,
        startedAt: now,
        finishedAt: now,
        message: `/dev/nvme0n1 on turing-w1 holds data: it is erased only after you type “${phrase}”.`,
        confirmPhrase: phrase,
      })
    } finally {
      db.close()
    }

    const view = await openProfile()
    await view.tab('Runs').click()
    const timeline = new TimelinePage(page)
    await timeline.history.waitFor()
    await timeline.history.getByTestId('run-history-row').first().click()
    await timeline.waitForRunState('failed')
    const confirm = page.getByTestId('failed-steps').getByTestId('confirm-phrase')
    expect(await confirm.innerText()).toContain(`To go on, type ${phrase}`)
    const retry = confirm.getByRole('button', { name: 'Confirm and retry' })
    const field = confirm.getByRole('textbox', { name: 'Confirmation phrase' })
    await field.fill('erase /dev/nvme0n1 on turing-w2')
    expect(await retry.isDisabled()).toBe(true)
    await field.fill(phrase)
    expect(await retry.isDisabled()).toBe(false)
    // The failed steps' panel, where the phrase is asked for (the timeline has its own checks).
    expect(await seriousAxeFindings(page, '[data-testid="failed-steps"]')).toEqual([])
    await field.press('Enter')

    // The step ran again. It stops before any node here (the profile's login user admin has no
    // saved password), with a failure that asks for no phrase: the field goes away.
    await expect
      .poll(async () =>
        (await host.request('lifecycle.run', { runId: run.id })).steps.find((s) => s.stepId === stepId),
      )
      .toMatchObject({ state: 'failed', attempts: 2, message: expect.stringMatching(/no password is saved/) })
    expect(
      (await host.request('lifecycle.run', { runId: run.id })).steps.find((s) => s.stepId === stepId)!
        .confirmPhrase,
    ).toBeUndefined()
    await confirm.waitFor({ state: 'detached' })
  })
})
