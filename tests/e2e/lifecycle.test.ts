// Cluster profiles and the lifecycle timeline end to end: Debian's Chromium against the real core
// through the WebSocket host, the virtual board started through the UI. A profile made from the
// Talos template gets a cached image (the Image Factory is not reachable offline), is checked as
// the user types, shows its plan, and is deployed through the imaging phases while the timeline
// fills in: image preparation, four flashes one after another on the one board, four boot waits.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { imageBytes } from '../support/make-image.ts'
import { startAppHost, type AppHost } from './support/app-host.ts'
import { BoardsPage } from './support/boards-page.ts'
import { screenshot } from './support/browser.ts'
import { pagePerTest } from './support/page-per-test.ts'
import { ProfilesPage, ProfileView } from './support/profiles-page.ts'
import { DeployDialog, PlanView, TimelinePage } from './support/timeline-page.ts'

const boardName = 'Virtual board'
const profileName = 'homelab'
/** Fast enough that four flashes take seconds, slow enough that each is seen running. */
const writeSpeedMBps = 8
const MiB = 1024 * 1024
const hosts = ['turing-cp1', 'turing-w1', 'turing-w2', 'turing-w3']

describe('cluster profiles and the lifecycle timeline in Chromium', () => {
  let host: AppHost

  beforeAll(async () => {
    host = await startAppHost('lifecycle')
  })

  afterAll(async () => {
    await host?.close()
  })

  const session = pagePerTest({ acceptDownloads: true, url: () => host.url })
  let page: Page
  beforeEach(() => ({ page } = session))

  async function openProfile(name = profileName): Promise<ProfileView> {
    const profiles = new ProfilesPage(page)
    await profiles.open()
    await profiles.row(name).click()
    const view = new ProfileView(page)
    await view.waitFor(name)
    return view
  }

  it('starts the virtual board and creates a profile from the Talos template on it', async () => {
    const boards = new BoardsPage(page)
    await boards.waitForList()
    await boards.tryVirtualBoard(writeSpeedMBps)
    await page.getByTestId('board-view').waitFor()

    const profiles = new ProfilesPage(page)
    await profiles.open()
    await profiles.emptyState.waitFor()
    await screenshot(page, 'lifecycle-profiles-empty')
    await profiles.newFromTemplate('talos-rk1-longhorn', profileName, boardName)

    const view = new ProfileView(page)
    await view.waitFor(profileName)
    await view.waitForValidation()
    expect(await view.input('nodes[0].hostname').inputValue()).toBe('turing-cp1')
    expect(await view.input('nodes[3].address').inputValue()).toBe('10.10.88.76')
    expect(await view.input('network.metallbRange').inputValue()).toBe('10.10.88.80-10.10.88.89')
    await screenshot(page, 'lifecycle-profile-editor')

    const saved = await host.request('profiles.get', { ref: profileName })
    expect(saved.profile.nodes.map((node) => [node.hostname, node.board, node.slot])).toEqual(
      hosts.map((hostname, i) => [hostname, boardName, i + 1]),
    )
  })

  it('shows a duplicate address next to its field and holds Save back until it is fixed', async () => {
    const view = await openProfile()
    await view.input('nodes[2].address').fill('10.10.88.74')
    await view.waitForValidation()
    await expect
      .poll(() => view.errorOf('nodes[2].address'))
      .toContain('10.10.88.74 is already the address of turing-w1')
    expect(await view.summary.getAttribute('data-errors')).not.toBe('0')
    expect(await view.saveButton.isDisabled()).toBe(true)
    await screenshot(page, 'lifecycle-profile-invalid')

    await view.input('nodes[2].address').fill('10.10.88.75')
    await view.waitForValidation()
    expect(await view.errorOf('nodes[2].address')).toBe('')
    // Back to what was saved: nothing to save.
    expect(await view.saveButton.isDisabled()).toBe(true)
  })

  it('takes a cached image, shows the plan in a dry run, deploys the imaging phases and fills the timeline', async () => {
    // The Talos factory is not reachable offline: put a small raw image into the cache first.
    const imagePath = join(host.dataDir, 'talos-e2e-rk1.raw')
    await writeFile(imagePath, imageBytes(4 * MiB, 5))
    const image = await host.request('images.importFile', { path: imagePath })

    const view = await openProfile()
    await view.chooseCachedImage('talos-e2e-rk1.raw')
    await view.waitForValidation()
    await screenshot(page, 'lifecycle-profile-cached-image')
    expect(await view.summary.getAttribute('data-errors')).toBe('0')
    await view.save()
    expect((await host.request('profiles.get', { ref: profileName })).profile.image).toEqual({
      cached: image.sha256,
    })

    await view.button('Dry run').click()
    const plan = new PlanView(page)
    await plan.root.waitFor()
    await plan.phase('node-imaging').waitFor()
    expect(await plan.stepIds('node-imaging')).toEqual(hosts.flatMap((h) => [`flash:${h}`, `boot:${h}`]))
    expect(await plan.phase('image-preparation').getAttribute('data-runnable')).toBe('true')
    expect(await plan.phase('node-imaging').getAttribute('data-runnable')).toBe('true')
    expect(await plan.phase('cluster-bootstrap').getAttribute('data-runnable')).toBe('true')
    expect(await plan.phase('addon-deployment').getAttribute('data-runnable')).toBe('true')
    expect(await plan.phase('ready').getAttribute('data-runnable')).toBe('true')
    await screenshot(page, 'lifecycle-dry-run')
    await plan.root.getByRole('button', { name: 'Deploy…' }).click()

    const deploy = new DeployDialog(page, profileName)
    await deploy.root.waitFor()
    const listed = await deploy.nodes()
    for (const hostname of hosts) expect(listed.join('\n')).toContain(hostname)
    expect(await deploy.root.innerText()).toMatch(/overwrites the eMMC/)
    await deploy.goThrough('Through node imaging')
    await screenshot(page, 'lifecycle-deploy-confirm')

    const timeline = new TimelinePage(page)
    await deploy.confirm()
    await timeline.timeline.waitFor()
    const states = await timeline.recordStates()

    await timeline.waitForStep('flash:turing-w1', 'running')
    await screenshot(page, 'lifecycle-timeline-running')
    await timeline.waitForRunState('done')
    await screenshot(page, 'lifecycle-timeline-done')

    const seen = await states()
    // The image is in the cache already: its effect is in place, so the step skips.
    expect(seen[`image:cached-${image.sha256.slice(0, 12)}`]?.at(-1)).toMatch(/^(done|skipped)$/)
    for (const hostname of hosts) {
      expect(seen[`flash:${hostname}`], hostname).toEqual(expect.arrayContaining(['running', 'done']))
      expect(seen[`boot:${hostname}`]?.at(-1), hostname).toBe('done')
    }
    // The later phases are outside this run.
    expect(await timeline.phase('cluster-bootstrap').getAttribute('data-state')).toBe('not-run')

    // One board, one transfer at a time: each flash starts after the one before it ended.
    const [summary] = await host.request('lifecycle.runs', { profile: profileName })
    const run = await host.request('lifecycle.run', { runId: summary!.id })
    const flashes = hosts.map((hostname) => run.steps.find((step) => step.stepId === `flash:${hostname}`)!)
    for (let i = 1; i < flashes.length; i++) {
      expect(Date.parse(flashes[i]!.startedAt!)).toBeGreaterThanOrEqual(
        Date.parse(flashes[i - 1]!.finishedAt!),
      )
    }

    const log = await timeline.openLog('flash:turing-w2')
    await expect.poll(() => log.innerText()).toMatch(/\S/)
    await screenshot(page, 'lifecycle-step-log')
    await page.keyboard.press('Escape')

    const report = await timeline.exportReport('Markdown (.md)')
    expect(report.fileName).toMatch(/\.md$/)
    expect(report.text).toContain(profileName)
    expect(report.text).toContain('turing-w3')
    const html = await timeline.exportReport('HTML (.html)')
    expect(html.text).toMatch(/<html/i)
  })

  it('opens a past run from the history', async () => {
    const view = await openProfile()
    await view.tab('Runs').click()
    const timeline = new TimelinePage(page)
    await timeline.history.waitFor()
    const rows = timeline.history.getByTestId('run-history-row')
    expect(await rows.count()).toBeGreaterThanOrEqual(1)
    await rows.first().click()
    await timeline.waitForRunState('done')
    await screenshot(page, 'lifecycle-history')

    // A phase outside the run is folded to one line with its reason; unfolded, its steps are greyed.
    const bootstrap = timeline.phase('cluster-bootstrap')
    expect(await bootstrap.innerText()).toContain('after Node imaging, where this run stops')
    await bootstrap.getByRole('button', { expanded: false }).click()
    expect(await bootstrap.locator('[data-testid="step-bar"][data-state="not-run"]').count()).toBe(9)
    await screenshot(page, 'lifecycle-not-run-unfolded')
  })

  it('cancels a running deployment after a warning, then resumes it; the flashes already done are not repeated', async () => {
    const view = await openProfile()
    await view.button('Deploy').click()
    const deploy = new DeployDialog(page, profileName)
    await deploy.root.waitFor()
    await deploy.goThrough('Through node imaging')
    await deploy.confirm()

    const timeline = new TimelinePage(page)
    await timeline.waitForStep('flash:turing-w1', 'running')
    await timeline.panel.getByRole('button', { name: 'Cancel run' }).click()
    const dialog = page.getByRole('dialog', { name: 'Cancel the run?' })
    await dialog.waitFor()
    expect(await dialog.innerText()).toMatch(/left powered off/)
    await dialog.getByRole('button', { name: 'Stop the run', exact: true }).click()
    await timeline.waitForRunState('cancelled')
    expect(await timeline.bar('flash:turing-cp1').getAttribute('data-state')).toBe('done')
    expect(await timeline.bar('flash:turing-w3').getAttribute('data-state')).not.toBe('done')
    await screenshot(page, 'lifecycle-cancelled')

    const runId = await timeline.panel.getAttribute('data-run-id')
    const finishedBefore = (await host.request('lifecycle.run', { runId })).steps.find(
      (step) => step.stepId === 'flash:turing-cp1',
    )?.finishedAt
    await timeline.panel.getByRole('button', { name: 'Resume' }).click()
    await timeline.waitForRunState('done')
    await screenshot(page, 'lifecycle-resumed')
    const run = await host.request('lifecycle.run', {
      runId: await timeline.panel.getAttribute('data-run-id'),
    })
    const cp1 = run.steps.find((step) => step.stepId === 'flash:turing-cp1')
    // Flashed before the cancel: either untouched or skipped as already in place, never written again.
    expect(cp1?.state === 'skipped' || cp1?.finishedAt === finishedBefore, JSON.stringify(cp1)).toBe(true)
    for (const hostname of hosts) {
      expect(run.steps.find((step) => step.stepId === `boot:${hostname}`)?.state).toMatch(/^(done|skipped)$/)
    }
  })

  it('exports a profile as YAML and imports it back', async () => {
    const profiles = new ProfilesPage(page)
    await profiles.open()
    const exported = await profiles.exportYaml(profileName)
    expect(exported.fileName).toMatch(/\.ya?ml$/)
    expect(exported.text).toContain(`name: ${profileName}`)
    const content = exported.text.split('\n').filter((line) => !line.startsWith('#'))
    expect(content.join('\n')).not.toMatch(/password|secret/i)

    const copy = exported.text.replace(`name: ${profileName}`, 'name: homelab-copy')
    const form = await profiles.importYamlFile('homelab-copy.yaml', copy)
    await screenshot(page, 'lifecycle-import')
    await form.getByRole('button', { name: 'Import', exact: true }).click()
    await new ProfileView(page).waitFor('homelab-copy')
    await profiles.open()
    await profiles.row('homelab-copy').waitFor()
    await screenshot(page, 'lifecycle-profiles-list')

    const original = await host.request('profiles.get', { ref: profileName })
    const imported = await host.request('profiles.get', { ref: 'homelab-copy' })
    expect({ ...imported.profile, name: profileName }).toEqual(original.profile)
  })

  it('shows a failed step with its reason and the steps it blocks, and runs it again on Retry', async () => {
    // An image file that is not there yet: image preparation fails, the flashes never start. (The
    // virtual board boots what it was sent as Talos when the file name says so.)
    const later = join(host.dataDir, 'talos-arriving-later.raw')
    const view = await openProfile('homelab-copy')
    await view.editor.getByTestId('image-source').first().getByText('File', { exact: true }).click()
    await view.input('image.file').fill(later)
    await view.save()
    await view.button('Deploy').click()
    const deploy = new DeployDialog(page, 'homelab-copy')
    await deploy.root.waitFor()
    await deploy.goThrough('Through node imaging')
    await deploy.confirm()

    const timeline = new TimelinePage(page)
    await timeline.waitForRunState('failed')
    const failed = page.getByTestId('failed-steps')
    expect(await failed.innerText()).toContain('Prepare image file-talos-arriving-later.raw')
    expect(await timeline.bar('image:file-talos-arriving-later.raw').getAttribute('data-state')).toBe(
      'failed',
    )
    for (const hostname of hosts) {
      expect(await timeline.bar(`flash:${hostname}`).getAttribute('data-state')).toBe('blocked')
    }
    await screenshot(page, 'lifecycle-failed')

    await writeFile(later, imageBytes(2 * MiB, 9))
    await failed.getByRole('button', { name: 'Retry' }).click()
    await timeline.waitForStep('flash:turing-w1', 'running')
    await screenshot(page, 'lifecycle-retrying')
    await timeline.waitForRunState('done')
    for (const hostname of hosts) {
      expect(await timeline.bar(`boot:${hostname}`).getAttribute('data-state')).toBe('done')
    }
    await screenshot(page, 'lifecycle-retried')
  })
  it('asks for a destroy with each node’s wipe named and holds it until the cluster’s name is typed', async () => {
    const view = await openProfile()
    await view.button('Dry run').click()
    const plan = new PlanView(page)
    await plan.root.waitFor()
    await plan.root.getByTestId('plan-operation').getByText('Destroy').click()
    await plan.phase('reset-nodes').waitFor()
    await plan.root.getByRole('button', { name: 'Destroy…' }).click()

    const dialog = page.getByRole('dialog', { name: `Destroy ${profileName}?` })
    await dialog.waitFor()
    const steps = dialog.getByTestId('destroy-steps')
    await expect
      .poll(() => steps.innerText())
      .toMatch(/Reset turing-w1 \(Virtual board slot 2\): wipe STATE partition, EPHEMERAL partition/)
    await dialog.getByLabel('Wipe the NVMe drives too').check()
    await expect.poll(() => steps.innerText()).toMatch(/EPHEMERAL partition, NVMe \/dev\/nvme0n1/)
    const destroy = dialog.getByRole('button', { name: 'Destroy the cluster' })
    expect(await destroy.isDisabled()).toBe(true)
    const confirm = dialog.getByLabel(`Type ${profileName} to confirm`)
    await confirm.fill(`${profileName}x`)
    expect(await destroy.isDisabled()).toBe(true)
    await confirm.fill(profileName)
    expect(await destroy.isEnabled()).toBe(true)
    await screenshot(page, 'lifecycle-destroy-confirm')
    const before = await host.request('lifecycle.runs', { profile: profileName })
    await dialog.getByRole('button', { name: 'Keep the cluster' }).click()
    await dialog.waitFor({ state: 'hidden' })
    expect(await host.request('lifecycle.runs', { profile: profileName })).toEqual(before)
  })
})
