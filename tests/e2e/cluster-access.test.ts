// A bootstrapped cluster's access page in Chromium: reached from the profile and the navigation, its
// kubeconfig and talosconfig downloaded as sealed, merged into the user's config files (the core's
// $KUBECONFIG and $TALOSCONFIG point into a temporary folder) with the conflict asked about, safe
// choice focused, and each node's machine config shown with no secret reaching the page.
import { readFile } from 'node:fs/promises'
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { sealBootstrappedCluster, type BootstrappedCluster } from '../support/bootstrapped-cluster.ts'
import { makeTempDir } from '../support/temp-dir.ts'
import { startAppHost, type AppHost } from './support/app-host.ts'
import { seriousAxeFindings } from './support/axe.ts'
import { pagePerTest } from './support/page-per-test.ts'
import { ProfileView } from './support/profiles-page.ts'

describe('cluster access in Chromium', () => {
  let host: AppHost
  let lab: BootstrappedCluster
  let dir: ReturnType<typeof makeTempDir>
  let kubeconfigPath: string
  let talosconfigPath: string
  const saved = { KUBECONFIG: process.env.KUBECONFIG, TALOSCONFIG: process.env.TALOSCONFIG }

  beforeAll(async () => {
    dir = makeTempDir()
    kubeconfigPath = join(dir.path, 'kube', 'config')
    talosconfigPath = join(dir.path, 'talos', 'config')
    // The host runs in this process and reads them when a merge is asked for.
    process.env.KUBECONFIG = kubeconfigPath
    process.env.TALOSCONFIG = talosconfigPath
    host = await startAppHost('access')
    await host.request('boards.add', {
      name: 'rack-1',
      address: 'https://127.0.0.1:9',
      user: 'root',
      password: 'turing',
    })
    lab = await sealBootstrappedCluster(host.core, host.secrets, { name: 'lab', board: 'rack-1' })
  })

  afterAll(async () => {
    await lab?.forget()
    await host?.close()
    dir?.remove()
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  })

  const session = pagePerTest({ acceptDownloads: true, url: () => host.url })
  let page: Page
  beforeEach(() => ({ page } = session))

  // Straight to the page by its address, the host's token beside the route.
  const openAccess = async () => {
    await page.goto(host.url.replace('#', '#/clusters/lab&'))
    await accessPage().waitFor()
  }
  const accessPage = () => page.locator('[data-testid="cluster-page"][data-cluster-name="lab"]')

  async function download(label: string): Promise<{ fileName: string; text: string }> {
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      accessPage().getByRole('button', { name: label }).click(),
    ])
    return { fileName: file.suggestedFilename(), text: await readFile(await file.path(), 'utf8') }
  }

  it('opens from the profile and the navigation, and downloads both configs as sealed', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'lab', exact: true }).click()
    await new ProfileView(page).waitFor('lab')
    await page.getByRole('button', { name: 'Cluster access' }).click()
    await accessPage().waitFor()
    expect(page.url()).toContain('#/clusters/lab')
    const navEntry = page.getByRole('navigation').getByRole('link', { name: 'Access to lab' })
    expect(await navEntry.getAttribute('aria-current')).toBe('page')
    const facts = await page.getByTestId('cluster-facts').innerText()
    expect(facts).toMatch(/^API https:\/\/10\.10\.88\.73:6443 · Talos v[\d.]+ · .* · 4 nodes$/)

    expect(await download('Download kubeconfig')).toEqual({
      fileName: 'lab-kubeconfig.yaml',
      text: lab.kubeconfig,
    })
    expect(await download('Download talosconfig')).toEqual({
      fileName: 'lab-talosconfig.yaml',
      text: lab.talosconfig,
    })
    expect(await seriousAxeFindings(page)).toEqual([])
  })

  it('merges the kubeconfig after asking, and on a conflict offers Replace, Keep both or Cancel', async () => {
    const theirs =
      'apiVersion: v1\nkind: Config\nclusters:\n- name: lab\n  cluster:\n    server: https://10.9.9.9:6443\ncontexts:\n- name: lab\n  context:\n    cluster: lab\n    user: lab\nusers:\n- name: lab\n  user:\n    token: THEIRS\ncurrent-context: lab\n'
    mkdirSync(join(dir.path, 'kube'))
    writeFileSync(kubeconfigPath, theirs)
    await openAccess()

    await accessPage().getByRole('button', { name: 'Merge into ~/.kube/config' }).click()
    const ask = page.getByRole('dialog', { name: 'Merge the kubeconfig of lab?' })
    await ask.getByText(kubeconfigPath).waitFor()
    expect(await ask.innerText()).toContain('Adds the context lab (with a cluster and a user of that name)')
    expect(await ask.locator('button:focus').innerText()).toBe('Keep the file as it is')
    expect(await seriousAxeFindings(page)).toEqual([])
    await ask.getByRole('button', { name: 'Merge', exact: true }).click()

    const conflict = page.getByRole('dialog', { name: 'Context "lab" exists already' })
    await conflict.waitFor()
    await expect.poll(() => conflict.locator('button:focus').innerText()).toBe('Cancel')
    expect(readFileSync(kubeconfigPath, 'utf8')).toBe(theirs)
    expect(await seriousAxeFindings(page)).toEqual([])
    await conflict.getByRole('button', { name: 'Keep both' }).click()
    await page.getByText(`Added context "lab-2" to ${kubeconfigPath} (the name was taken).`).waitFor()
    const merged = parse(readFileSync(kubeconfigPath, 'utf8'))
    expect(merged.contexts.map((context: { name: string }) => context.name)).toEqual(['lab', 'lab-2'])
    expect(merged.users[0].user).toEqual({ token: 'THEIRS' })
    expect(merged['current-context']).toBe('lab')
    expect(statSync(kubeconfigPath).mode & 0o777).toBe(0o600)
  })

  it('merges the talosconfig into a new file, and says so when it is there already', async () => {
    await openAccess()
    const merge = accessPage().getByRole('button', { name: 'Merge into ~/.talos/config' })
    const dialog = page.getByRole('dialog', { name: 'Merge the talosconfig of lab?' })
    for (const said of [
      `Added context "lab" to ${talosconfigPath}.`,
      `${talosconfigPath} already has this talosconfig as context "lab": nothing changed.`,
    ]) {
      await merge.click()
      await dialog.getByText(talosconfigPath).waitFor()
      await dialog.getByRole('button', { name: 'Merge', exact: true }).click()
      await dialog.waitFor({ state: 'hidden' })
      await page.getByText(said).waitFor()
    }
    expect(parse(readFileSync(talosconfigPath, 'utf8'))).toEqual(parse(lab.talosconfig))
  })

  it('shows each node’s machine config masked, the node chosen by keyboard', async () => {
    await openAccess()
    const shown = page.locator('[data-testid="machine-config"]:visible')
    await shown.waitFor()
    expect(await shown.getAttribute('data-hostname')).toBe('turing-cp1')
    expect(await shown.innerText()).toContain('hostname: turing-cp1')
    expect(await shown.innerText()).toContain('token: ••••••••')

    await page.getByRole('tab', { name: 'turing-cp1 (control plane)' }).focus()
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('Enter')
    await expect.poll(() => shown.getAttribute('data-hostname')).not.toBe('turing-cp1')
    expect(await shown.innerText()).toContain(`hostname: ${await shown.getAttribute('data-hostname')}`)

    const html = await page.content()
    for (const secret of lab.secrets) expect(html).not.toContain(secret)
    expect(await seriousAxeFindings(page)).toEqual([])
  })
})
