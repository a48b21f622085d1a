// The day-2 operations started from a deployed cluster's page in Chromium (docs/backups.md,
// docs/upgrades.md, docs/destroy.md): Back up now starts a backup run and opens it on the
// profile's timeline; the Upgrade dialog shows the plan of the versions typed, with the core's
// refusal of a skipped minor release before Start, and with the add-ons ticked each add-on's chart
// now (from the cluster's health) against its pin and the plan's add-on steps; the secrets export checks the passphrase typed
// twice and saves only the age file; Restore… names the nodes imaged again and the snapshot; the Destroy dialog is used by keyboard alone, the safe choice
// focused first and the destroy held until the name is typed; for a K3s cluster it offers to wipe
// the eMMC, which each node's reset then names. While a run of the profile is in progress the
// buttons that would start another are disabled, saying why, with a link to the run. axe finds
// nothing serious.
import { readFile, writeFile } from 'node:fs/promises'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { describeSnapshot, newSnapshotPath } from '../../src-main/day2/backup-store.ts'
import { openSecretsExport } from '../../src-main/day2/secrets-export.ts'
import { addonEntry, enabledAddons } from '../../src-shared/addons/addon-catalogue.ts'
import type { ClusterHealth, HealthAddon } from '../../src-shared/clusters/health-schema.ts'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'
import type { AddonKey } from '../../src-shared/lifecycle/plan.ts'
import { sealBootstrappedCluster, type BootstrappedCluster } from '../support/bootstrapped-cluster.ts'
import { startAppHost, type AppHost } from './support/app-host.ts'
import { seriousAxeFindings } from './support/axe.ts'
import { screenshot } from './support/browser.ts'
import { startImageServer, type ImageServer } from '../support/image-server.ts'
import { pagePerTest } from './support/page-per-test.ts'
import { ProfileView, selectOption } from './support/profiles-page.ts'
import { TimelinePage } from './support/timeline-page.ts'

describe('day-2 operations from the cluster page in Chromium', () => {
  let host: AppHost
  let lab: BootstrappedCluster
  let edge: BootstrappedCluster
  let images: ImageServer
  const talosSecrets = `cluster:\n  id: ${'c'.repeat(43)}=\n  secret: TALOS-BUNDLE-SECRET-${Date.now()}\n`

  beforeAll(async () => {
    host = await startAppHost('cluster-ops')
    // A board nothing answers on: the runs started here fail at their first node step, after starting.
    await host.request('boards.add', {
      name: 'rack-1',
      address: 'https://127.0.0.1:9',
      user: 'root',
      password: 'turing',
    })
    lab = await sealBootstrappedCluster(host.core, host.secrets, { name: 'lab', board: 'rack-1' })
    await host.core.clusters.sealSecret(lab.id, sealedNames.talosSecrets, talosSecrets)
    // A K3s cluster beside it, deployed from its template.
    await host.request('profiles.fromTemplate', {
      template: 'k3s-rk1-armbian',
      name: 'edge',
      board: 'rack-1',
    })
    edge = await sealBootstrappedCluster(host.core, host.secrets, { name: 'edge', board: 'rack-1' })
    images = await startImageServer()
  })

  afterAll(async () => {
    await lab?.forget()
    await edge?.forget()
    await images?.close()
    await host?.close()
  })

  const session = pagePerTest({ acceptDownloads: true, url: () => host.url })
  let page: Page
  beforeEach(() => ({ page } = session))

  let shown = 'lab'
  const clusterPage = () => page.locator(`[data-testid="cluster-page"][data-cluster-name="${shown}"]`)
  const operations = () => clusterPage().getByTestId('cluster-operations')
  async function openClusterPage(name = 'lab') {
    shown = name
    await page.goto(host.url.replace('#', `#/clusters/${name}&`))
    await operations().waitFor()
  }
  const runsOf = (operation: string, profile = 'lab') =>
    host
      .request('lifecycle.runs', { profile })
      .then((runs) => runs.filter((run) => run.operation === operation))

  it('Back up now starts a backup run and shows it on the profile’s timeline', async () => {
    await openClusterPage()
    expect(await runsOf('backup')).toEqual([])
    await operations().getByRole('button', { name: 'Back up now' }).click()

    await new ProfileView(page).waitFor('lab')
    expect(page.url()).toContain('#/profiles/lab')
    const [run] = await runsOf('backup')
    expect(run).toBeDefined()
    const timeline = new TimelinePage(page)
    await page.locator(`[data-testid="run-panel"][data-run-id="${run!.id}"]`).waitFor()
    await timeline.bar('backup:etcd').waitFor()
    await timeline.bar('backup:save').waitFor()
    expect(await page.getByRole('tab', { name: /^Runs/ }).getAttribute('aria-selected')).toBe('true')
  })

  it('Upgrade… shows the plan of the versions typed and refuses a skipped minor before Start', async () => {
    const running = (await host.request('clusters.get', { ref: 'lab' })).versions.talos!
    const [major, minor] = running.replace(/^v/, '').split('.').map(Number)
    const before = await runsOf('upgrade')
    await openClusterPage()
    await operations().getByRole('button', { name: 'Upgrade…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Upgrade lab' })
    await dialog.waitFor()
    expect(await dialog.locator('button:focus').innerText()).toBe('Not now')
    const start = dialog.getByRole('button', { name: 'Start the upgrade' })
    const refusal = dialog.getByTestId('plan-refusal')

    await dialog.getByLabel('Talos version').fill(`v${major}.${minor! + 2}.0`)
    await refusal.waitFor()
    expect(await refusal.innerText()).toContain(
      `Talos moves one minor release at a time: from ${running} go to v${major}.${minor! + 1}.x first`,
    )
    // The plan is shown all the same, node by node, control planes first.
    const nodeSteps = dialog.locator(
      '[data-testid="plan-phase"][data-phase="upgrade-nodes"] [data-testid="plan-step"]',
    )
    await expect
      .poll(() => nodeSteps.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-step-id'))))
      .toEqual(['upgrade:turing-cp1', 'upgrade:turing-w1', 'upgrade:turing-w2', 'upgrade:turing-w3'])
    expect(await start.isDisabled()).toBe(true)
    await screenshot(page, 'cluster-upgrade-refused')
    expect(await seriousAxeFindings(page)).toEqual([])

    await dialog.getByLabel('Talos version').fill(`v${major}.${minor! + 1}.0`)
    await refusal.waitFor({ state: 'detached' })
    await expect.poll(() => start.isEnabled()).toBe(true)
    expect(await nodeSteps.first().innerText()).toContain(`v${major}.${minor! + 1}.0`)
    await dialog.getByRole('button', { name: 'Not now' }).click()
    await dialog.waitFor({ state: 'hidden' })
    expect(await runsOf('upgrade')).toEqual(before)
  })

  it('Upgrade… with the add-ons shows each one’s chart now against its pin, and their steps in the plan', async () => {
    const profile = (await host.request('profiles.list', {})).find((saved) => saved.name === 'lab')!.profile
    const before = await runsOf('upgrade')
    await openClusterPage()
    await operations().getByRole('button', { name: 'Upgrade…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Upgrade lab' })
    await dialog.waitFor()
    await dialog.getByLabel('Upgrade the add-ons to the charts this version of Clusterdeck pins').check()
    const changes = dialog.getByTestId('addon-changes')
    const row = (key: AddonKey) => changes.locator(`[data-addon="${key}"]`)
    // The sealed kubeconfig names a server nobody answers on: no chart is known yet.
    await changes.waitFor()
    await expect
      .poll(() => changes.locator('[data-change="unknown"]').count())
      .toBe(enabledAddons(profile).length)
    expect(await dialog.innerText()).toContain('The cluster cannot be reached now')

    // The core's health of a reachable cluster: MetalLB behind its pin, Traefik at it, Portainer absent.
    const seen = (key: AddonKey, chart: string | null): HealthAddon => {
      const entry = addonEntry(key)
      return {
        key,
        title: entry.title,
        release: entry.release,
        namespace: entry.namespace,
        releaseStatus: chart ? 'deployed' : null,
        revision: chart ? 2 : null,
        chart,
        pinnedVersion: entry.chart.version,
        checks: [],
        podsReady: 1,
        podsTotal: 1,
        url: null,
        portForward: null,
        ready: chart !== null,
      }
    }
    const health: ClusterHealth = {
      cluster: 'lab',
      server: 'https://127.0.0.11:6443',
      state: 'degraded',
      reasons: ['Portainer is not installed.'],
      unreachable: null,
      nodes: [],
      notReadyPods: [],
      addons: [
        seen('metallb', 'metallb-0.16.0'),
        seen('traefik', `traefik-${addonEntry('traefik').chart.version}`),
        seen('certManager', 'cert-manager-v1.20.2'),
        seen('longhorn', 'longhorn-1.11.2'),
        seen('monitoring', `kube-prometheus-stack-${addonEntry('monitoring').chart.version}`),
        seen('portainer', null),
      ],
      warnings: [],
      checkedAt: new Date().toISOString(),
    }
    host.core.events.emit('clusters.healthChanged', health)
    await expect.poll(() => row('metallb').getAttribute('data-change')).toBe('upgrade')
    const cells = async (key: AddonKey) =>
      (await row(key).locator('td').allTextContents()).map((text) => text.trim())
    expect(await cells('metallb')).toEqual(['MetalLB', '0.16.0', '0.16.1', 'upgraded'])
    expect(await cells('certManager')).toEqual(['cert-manager', 'v1.20.2', 'v1.21.1', 'upgraded'])
    expect(await cells('traefik')).toEqual(['Traefik', '42.4.3', '42.4.3', 'at its pin'])
    expect(await cells('portainer')).toEqual(['Portainer', 'not installed', '239.4.0', 'installed'])
    expect(await dialog.innerText()).not.toContain('The cluster cannot be reached now')

    // The plan has the add-on phase: one step per enabled add-on, named with its pinned chart.
    const addonSteps = dialog.locator(
      '[data-testid="plan-phase"][data-phase="upgrade-addons"] [data-testid="plan-step"]',
    )
    await expect
      .poll(() => addonSteps.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-step-id'))))
      .toEqual(enabledAddons(profile).map((addon) => `addon:${addon.key}`))
    expect(await addonSteps.first().innerText()).toContain('Upgrade MetalLB to chart 0.16.1')
    await screenshot(page, 'cluster-upgrade-addons')
    expect(await seriousAxeFindings(page)).toEqual([])

    await dialog.getByRole('button', { name: 'Not now' }).click()
    await dialog.waitFor({ state: 'hidden' })
    expect(await runsOf('upgrade')).toEqual(before)
  })

  it('Export secrets… asks for the passphrase twice and saves only the encrypted file', async () => {
    await openClusterPage()
    await operations().getByRole('button', { name: 'Export secrets…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Export the secrets of lab' })
    await dialog.waitFor()
    const exportButton = dialog.getByRole('button', { name: 'Export and save' })
    const passphrase = 'correct horse battery staple'

    await dialog.getByLabel('Passphrase', { exact: true }).fill(passphrase)
    await dialog.getByLabel('The passphrase again').fill(`${passphrase}!`)
    await dialog.getByText('The two passphrases differ').waitFor()
    await screenshot(page, 'cluster-export-secrets-mismatch')
    expect(await exportButton.isDisabled()).toBe(true)
    expect(await seriousAxeFindings(page)).toEqual([])

    // The core's own rule: too short a passphrase is refused in the dialog, nothing saved.
    await dialog.getByLabel('Passphrase', { exact: true }).fill('short')
    await dialog.getByLabel('The passphrase again').fill('short')
    await exportButton.click()
    await dialog.getByText('The passphrase is shorter than 12 characters; nothing was exported.').waitFor()

    await dialog.getByLabel('Passphrase', { exact: true }).fill(passphrase)
    await dialog.getByLabel('The passphrase again').fill(passphrase)
    const [download] = await Promise.all([page.waitForEvent('download'), exportButton.click()])
    expect(download.suggestedFilename()).toBe('lab-secrets.age')
    const content = await readFile(await download.path(), 'utf8')
    expect(content).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----/)
    await dialog.waitFor({ state: 'hidden' })

    const opened = await openSecretsExport(content, { passphrase })
    expect(opened.summary.cluster).toBe('lab')
    expect(opened.files[sealedNames.talosSecrets]).toBe(talosSecrets)
    expect(opened.files[sealedNames.kubeconfig]).toBe(lab.kubeconfig)
    const html = await page.content()
    for (const secret of [...lab.secrets, talosSecrets, passphrase]) expect(html).not.toContain(secret)
  })

  it('Destroy… goes by keyboard alone: the safe choice first, held until the name is typed', async () => {
    const before = await runsOf('destroy')
    await openClusterPage()
    await operations().getByRole('button', { name: 'Destroy…' }).focus()
    await page.keyboard.press('Enter')
    const dialog = page.getByRole('dialog', { name: 'Destroy lab?' })
    await dialog.waitFor()
    const focusedText = () => page.evaluate('document.activeElement?.textContent ?? ""')
    const focusInDialog = () =>
      page.evaluate('!!document.activeElement?.closest("[role=dialog]")') as Promise<boolean>
    await expect.poll(focusedText).toBe('Keep the cluster')
    // Each node and what it loses, named before anything starts.
    const steps = dialog.getByTestId('destroy-steps')
    await expect
      .poll(() => steps.innerText())
      .toMatch(/Reset turing-w1 \(rack-1 slot 2\): wipe STATE partition/)
    for (const hostname of ['turing-cp1', 'turing-w2', 'turing-w3'])
      expect(await steps.innerText()).toContain(hostname)
    expect(await seriousAxeFindings(page)).toEqual([])

    // Tab cycles through the dialog: the focus never leaves it.
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab')
      expect(await focusInDialog()).toBe(true)
    }
    // To the NVMe option, ticked with Space; the plan then names the NVMe drives.
    const nvme = dialog.getByLabel('Wipe the NVMe drives too')
    while (!(await nvme.evaluate((element) => element === element.ownerDocument.activeElement)))
      await page.keyboard.press('Tab')
    await page.keyboard.press('Space')
    await expect.poll(() => steps.innerText()).toMatch(/NVMe \/dev\/nvme0n1/)

    const confirm = dialog.getByLabel('Type lab to confirm')
    while (!(await confirm.evaluate((element) => element === element.ownerDocument.activeElement)))
      await page.keyboard.press('Tab')
    const destroy = dialog.getByRole('button', { name: 'Destroy the cluster' })
    await page.keyboard.type('la')
    expect(await destroy.isDisabled()).toBe(true)
    await page.keyboard.type('b')
    await expect.poll(() => destroy.isEnabled()).toBe(true)
    await page.keyboard.press('Tab')
    await page.keyboard.press('Tab')
    await expect.poll(focusedText).toBe('Destroy the cluster')
    await screenshot(page, 'cluster-destroy-keyboard')
    expect(await seriousAxeFindings(page)).toEqual([])

    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'hidden' })
    expect(await runsOf('destroy')).toEqual(before)
  })

  it('Restore… names every node imaged again and the snapshot chosen, the safe choice first', async () => {
    // A kept snapshot as a backup run leaves it: the file and its description beside it.
    const file = await newSnapshotPath(host.dataDir, lab.id, new Date('2026-11-30T10:00:00Z'))
    await writeFile(file, 'etcd snapshot bytes', { mode: 0o600 })
    await describeSnapshot(file, {
      takenAt: '2026-11-30T10:00:00.000Z',
      node: 'turing-cp1',
      distribution: 'talos',
      version: 'v1.13.9',
      runId: 'run-1',
    })
    const before = await runsOf('restore')
    await openClusterPage()
    await clusterPage().getByTestId('backups').waitFor()
    await clusterPage().getByRole('button', { name: 'Restore…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Restore lab from a snapshot?' })
    await dialog.waitFor()
    await expect.poll(() => dialog.locator('button:focus').innerText()).toBe('Keep the cluster as it is')
    const restore = dialog.getByRole('button', { name: 'Restore the cluster' })
    expect(await restore.isDisabled()).toBe(true)

    await selectOption(page, dialog.getByRole('combobox', { name: 'Snapshot' }), 'turing-cp1 (v1.13.9)')
    const steps = dialog.getByTestId('restore-steps')
    await steps.waitFor()
    const listed = await steps.innerText()
    for (const hostname of ['turing-cp1', 'turing-w1', 'turing-w2', 'turing-w3'])
      expect(listed).toContain(hostname)
    expect(listed).toContain(`recovered from the snapshot ${file.split('/').at(-1)}`)
    await expect.poll(() => restore.isEnabled()).toBe(true)
    await screenshot(page, 'cluster-restore')
    expect(await seriousAxeFindings(page)).toEqual([])

    await dialog.getByRole('button', { name: 'Keep the cluster as it is' }).click()
    await dialog.waitFor({ state: 'hidden' })
    expect(await runsOf('restore')).toEqual(before)
  })

  it('Destroy… of a K3s cluster offers to wipe the eMMC, and each node’s reset then names it', async () => {
    const before = await runsOf('destroy', 'edge')
    await openClusterPage('edge')
    await operations().getByRole('button', { name: 'Destroy…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Destroy edge?' })
    await dialog.waitFor()
    const steps = dialog.getByTestId('destroy-steps')
    await expect.poll(() => steps.innerText()).toMatch(/Reset turing-w1 \(rack-1 slot 2\): wipe K3s$/m)
    expect(await steps.innerText()).not.toContain('eMMC')
    const emmc = dialog.getByLabel('Also wipe the eMMC (the nodes will not boot until re-flashed)')
    await emmc.focus()
    await page.keyboard.press('Space')
    await expect
      .poll(() => steps.innerText())
      .toMatch(/Reset turing-w1 \(rack-1 slot 2\): wipe K3s, eMMC \(boot device\)/)
    const resets = (await steps.innerText()).split('\n').filter((line) => line.includes('Reset '))
    expect(resets).toHaveLength(4)
    for (const line of resets) expect(line).toMatch(/: wipe K3s, eMMC \(boot device\)$/)
    const destroy = dialog.getByRole('button', { name: 'Destroy the cluster' })
    await dialog.getByLabel('Type edge to confirm').fill('edge')
    await expect.poll(() => destroy.isEnabled()).toBe(true)
    await screenshot(page, 'cluster-destroy-k3s-emmc')
    expect(await seriousAxeFindings(page)).toEqual([])
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'hidden' })
    expect(await runsOf('destroy', 'edge')).toEqual(before)
    // A Talos cluster's dialog has no such option: its resets wipe the system partitions already.
    await openClusterPage('lab')
    await operations().getByRole('button', { name: 'Destroy…' }).click()
    const talos = page.getByRole('dialog', { name: 'Destroy lab?' })
    await talos
      .getByTestId('destroy-steps')
      .getByText(/Reset turing-w1/)
      .waitFor()
    expect(await talos.getByText(/Also wipe the eMMC/).count()).toBe(0)
    await page.keyboard.press('Escape')
  })

  it('while a run of the profile is in progress, the buttons that start one are disabled, saying why', async () => {
    // A deploy whose image download never gets an answer stays running until it is cancelled.
    images.files.set('/hanging.raw.xz', { body: Buffer.alloc(16), hang: true })
    const saved = (await host.request('profiles.get', { ref: 'edge' })).profile
    await host.request('profiles.save', {
      profile: { ...saved, image: { url: images.url('/hanging.raw.xz') } },
    })
    const run = await host.request('lifecycle.start', { profile: 'edge', operation: 'deploy' })
    try {
      await openClusterPage('edge')
      const reason = clusterPage().getByTestId('run-in-progress')
      await reason.waitFor()
      expect(await reason.innerText()).toMatch(
        /^Deploy of edge in progress \(started .*\): another operation can start once it ends/,
      )
      for (const name of ['Back up now', 'Upgrade…', 'Destroy…']) {
        const button = operations().getByRole('button', { name })
        expect(await button.isDisabled(), name).toBe(true)
        expect(await button.getAttribute('aria-describedby'), name).toBe('day2-run-in-progress')
      }
      // The secrets export starts no run: it stays available.
      expect(await operations().getByRole('button', { name: 'Export secrets…' }).isEnabled()).toBe(true)
      expect(await seriousAxeFindings(page)).toEqual([])
      await screenshot(page, 'cluster-run-in-progress')

      // By keyboard: the link in the reason opens the run on the profile's timeline.
      const link = reason.getByRole('button', { name: 'Open the run' })
      await link.focus()
      await page.keyboard.press('Enter')
      await page.locator(`[data-testid="run-panel"][data-run-id="${run.id}"]`).waitFor()
      expect(page.url()).toContain('#/profiles/edge')

      // Once the run ends, the buttons are back.
      await host.request('lifecycle.cancel', { runId: run.id })
      await openClusterPage('edge')
      await expect.poll(() => operations().getByRole('button', { name: 'Destroy…' }).isEnabled()).toBe(true)
      expect(await clusterPage().getByTestId('run-in-progress').count()).toBe(0)
    } finally {
      await host.request('lifecycle.cancel', { runId: run.id }).catch(() => undefined)
      await host.request('profiles.save', { profile: saved })
    }
  })
})
