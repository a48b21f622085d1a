// "Trust the new key" end to end: Debian's Chromium against the real core through the WebSocket
// host, and a real OpenSSH sshd on loopback as the node. A K3s run whose preparation of turing-cp1
// was refused because the node's host key changed (the refusal the SSH layer really gives) shows
// both fingerprints; the confirmation names the node and both keys with Cancel focused, and only
// trusting pins the presented key, after which the same button retries the step — all by keyboard,
// with no serious axe finding.
import { randomUUID } from 'node:crypto'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ClusterRepository } from '../../src-main/clusters/cluster-repository.ts'
import { RunRepository } from '../../src-main/lifecycle/run-repository.ts'
import { HostKeyRepository } from '../../src-main/ssh/host-keys.ts'
import { connectSsh } from '../../src-main/ssh/ssh-connection.ts'
import { generateClusterKey } from '../../src-main/ssh/cluster-key.ts'
import { openDatabase, type Db } from '../../src-main/store/database.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { clusterNodeOf } from '../../src-shared/clusters/cluster-schema.ts'
import type { Run } from '../../src-shared/lifecycle/run-schema.ts'
import { stepIds } from '../../src-shared/lifecycle/step-ids.ts'
import { asRoot, keygenFingerprint, OpenSshServer, sshdMissing } from '../integration/openssh-server.ts'
import { startAppHost, type AppHost } from './support/app-host.ts'
import { seriousAxeFindings } from './support/axe.ts'
import { screenshot } from './support/browser.ts'
import { pagePerTest } from './support/page-per-test.ts'
import { ProfilesPage, ProfileView } from './support/profiles-page.ts'

const skip = sshdMissing() ?? (asRoot ? undefined : 'needs root to run sshd with its own host keys as a node')
const stepId = stepIds.k3sPrepare('turing-cp1')

describe.skipIf(skip !== undefined)(
  `trusting a changed SSH host key in Chromium${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let host: AppHost
    let server: OpenSshServer
    let db: Db
    let hostKeys: HostKeyRepository
    let runId: string
    let before: string
    let after: string

    beforeAll(async () => {
      host = await startAppHost('host-key')
      db = openDatabase(host.dataDir)
      hostKeys = new HostKeyRepository(db)
      const key = generateClusterKey('clusterdeck@lab')
      server = new OpenSshServer()
      server.authorize(key.publicKey)
      await server.start()

      await host.request('boards.add', {
        name: 'rack-1',
        address: 'https://127.0.0.1:9',
        user: 'root',
        password: 'turing',
      })
      const { saved } = await host.request('profiles.fromTemplate', {
        template: 'k3s-rk1-armbian',
        name: 'lab',
        board: 'rack-1',
      })
      const record = host.core.clusters.forProfile(saved.id, saved.profile)
      new ClusterRepository(db).save({
        ...record,
        nodes: [{ ...clusterNodeOf(saved.profile.nodes[0]!), sshAddress: '127.0.0.1', sshPort: server.port }],
      })

      // The node was reached once (its key pinned), then reinstalled: the next login is refused.
      const target = { host: '127.0.0.1', port: server.port, user: 'root' }
      const connect = () =>
        connectSsh({ target, auth: { agentSocket: undefined, privateKeys: [key.privateKey] }, hostKeys })
      ;(await connect()).close()
      before = keygenFingerprint(`${server.hostKeyPath}.pub`)
      await server.replaceHostKey()
      after = keygenFingerprint(`${server.hostKeyPath}.pub`)
      const refusal = await connect().then(
        () => undefined,
        (error: unknown) => error as AppError,
      )
      expect(refusal).toBeInstanceOf(AppError)

      // A deploy that failed there, as the engine records a failed step (message, then hint).
      const { plan } = await host.request('lifecycle.plan', { profile: 'lab' })
      const failedAt = plan.steps.findIndex((step) => step.id === stepId)
      expect(failedAt).toBeGreaterThan(0)
      const now = new Date().toISOString()
      const run: Run = {
        id: randomUUID(),
        operation: 'deploy',
        profileId: saved.id,
        profileName: 'lab',
        distribution: 'k3s',
        plan,
        throughPhase: plan.steps.at(-1)!.phase,
        state: 'failed',
        createdAt: now,
        finishedAt: now,
        message: `Failed: ${plan.steps[failedAt]!.title}.`,
        steps: plan.steps.map((step, i) => ({
          stepId: step.id,
          state: i < failedAt ? 'done' : i === failedAt ? 'failed' : 'blocked',
          attempts: 0, // As the repository records a new run's steps.
          startedAt: i <= failedAt ? now : null,
          finishedAt: i <= failedAt ? now : null,
          message: i === failedAt ? `${refusal!.message} ${refusal!.hint}` : null,
          earlierAttempts: [],
        })),
      }
      new RunRepository(db).create(run, saved.profile)
      runId = run.id
    })

    afterAll(async () => {
      await server?.dispose()
      db?.close()
      await host?.close()
    })

    const session = pagePerTest({ url: () => host.url })
    let page: Page
    beforeEach(() => ({ page } = session))

    const focusedText = () => page.evaluate('document.activeElement?.textContent ?? ""')

    it('shows both fingerprints, trusts the new key only once confirmed, then retries the step', async () => {
      const profiles = new ProfilesPage(page)
      await profiles.open()
      await profiles.row('lab').click()
      const view = new ProfileView(page)
      await view.waitFor('lab')
      await view.tab('Runs').click()

      const panel = page.getByTestId('host-key-changed')
      await panel.waitFor()
      expect(await panel.getAttribute('data-host')).toBe('turing-cp1')
      expect(await panel.getByTestId('host-key-expected').innerText()).toBe(before)
      expect(await panel.getByTestId('host-key-actual').innerText()).toBe(after)
      await screenshot(page, 'host-key-changed')

      // By keyboard: the dialog opens with Cancel focused, and Cancel changes nothing.
      const trust = panel.getByRole('button', { name: 'Trust the new key' })
      await trust.focus()
      await page.keyboard.press('Enter')
      const dialog = page.getByRole('dialog', { name: 'Trust the new host key of turing-cp1?' })
      await dialog.waitFor()
      const text = await dialog.innerText()
      expect(text).toContain('[127.0.0.1]:')
      expect(text).toContain(before)
      expect(text).toContain(after)
      await expect.poll(focusedText).toBe('Cancel')
      // The dialog and the failure panel; the timeline behind them is checked by its own tests.
      expect(await seriousAxeFindings(page, '[role="dialog"]')).toEqual([])
      await screenshot(page, 'host-key-trust-dialog')
      await page.keyboard.press('Enter')
      await dialog.waitFor({ state: 'hidden' })
      expect(hostKeys.find('127.0.0.1', server.port)?.fingerprint).toBe(before)

      await trust.focus()
      await page.keyboard.press('Enter')
      await dialog.waitFor()
      await expect.poll(focusedText).toBe('Cancel')
      await page.keyboard.press('Tab')
      expect(await focusedText()).toBe('Trust the new key')
      await page.keyboard.press('Enter')
      await dialog.waitFor({ state: 'hidden' })
      await expect.poll(() => hostKeys.find('127.0.0.1', server.port)?.fingerprint).toBe(after)

      // The same button, focused again, now runs the step again.
      const retry = panel.getByRole('button', { name: 'Retry the step' })
      await retry.waitFor()
      await expect.poll(focusedText).toBe('Retry the step')
      expect(await seriousAxeFindings(page, '[data-testid="failed-steps"]')).toEqual([])
      const attempts = async () =>
        (await host.request('lifecycle.run', { runId })).steps.find((step) => step.stepId === stepId)!
          .attempts
      const tried = await attempts()
      await page.keyboard.press('Enter')
      await expect.poll(attempts).toBeGreaterThan(tried)
    })
  },
)
