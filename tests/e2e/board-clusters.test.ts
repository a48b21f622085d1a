// Boards that know their clusters, end to end: each slot names the node a profile puts there (host
// name, role, profile); flashing or powering off a node of a deployed cluster names the cluster and
// the role first; two profiles claiming one slot are warned about on the board and in the profile
// editor; removing a board a profile uses says so. A board whose BMC does not answer offers no
// action, and says why.
import { writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { imageBytes } from '../support/make-image.ts'
import { startAppHost, type AppHost } from './support/app-host.ts'
import { BoardViewPage } from './support/board-view-page.ts'
import { BoardsPage } from './support/boards-page.ts'
import { screenshot } from './support/browser.ts'
import { pagePerTest } from './support/page-per-test.ts'
import { ProfilesPage, ProfileView } from './support/profiles-page.ts'

const boardName = 'Virtual board'

describe('boards and their clusters in Chromium through the WebSocket host', () => {
  let host: AppHost

  beforeAll(async () => {
    host = await startAppHost('board-clusters')
    await host.request('virtualBoard.start', { writeSpeedMBps: 0 })
    const path = join(host.dataDir, 'talos-clusters.raw')
    await writeFile(path, imageBytes(1024 * 1024, 4))
    const { sha256 } = await host.request('images.importFile', { path })

    // homelab: the Talos template, slots 1–4, deployed (a run through image preparation).
    const { saved } = await host.request('profiles.fromTemplate', {
      template: 'talos-rk1-longhorn',
      name: 'homelab',
      board: boardName,
    })
    await host.request('profiles.save', { profile: { ...saved.profile, image: { cached: sha256 } } })
    const run = await host.request('lifecycle.deploy', {
      profile: 'homelab',
      throughPhase: 'image-preparation',
    })
    for (
      let i = 0;
      i < 100 && (await host.request('lifecycle.run', { runId: run.id })).state === 'running';
      i++
    )
      await new Promise((resolve) => setTimeout(resolve, 100))

    // lab-b: one K3s control plane in slot 2, which homelab's turing-w1 holds already.
    const other = await host.request('profiles.fromTemplate', {
      template: 'k3s-rk1-armbian',
      name: 'lab-b',
      board: boardName,
    })
    const [server] = other.saved.profile.nodes
    await host.request('profiles.save', {
      profile: { ...other.saved.profile, nodes: [{ ...server!, slot: 2 }] },
    })
  })

  afterAll(async () => {
    await host?.close()
  })

  const session = pagePerTest()
  let page: Page
  beforeEach(() => ({ page } = session))

  async function openBoard(name = boardName): Promise<BoardViewPage> {
    const boards = new BoardsPage(page)
    await boards.open(host.url)
    await boards.openBoard(name)
    const view = new BoardViewPage(page)
    await view.waitFor(name)
    return view
  }

  it("names each slot's cluster node and warns that two profiles claim slot 2", async () => {
    const view = await openBoard()
    await expect.poll(() => view.slot(1).clusterNodes()).toEqual(['turing-cp1 · control plane · homelab'])
    expect(await view.slot(4).clusterNodes()).toEqual(['turing-w3 · worker · homelab'])
    const server = (await host.request('profiles.get', { ref: 'lab-b' })).profile.nodes[0]!.hostname
    expect(await view.slot(2).clusterNodes()).toEqual([
      'turing-w1 · worker · homelab',
      `${server} · control plane · lab-b`,
    ])
    expect(await view.slot(2).conflict.innerText()).toContain('2 profiles put a node in this slot')
    expect(await view.slot(1).conflict.count()).toBe(0)
    expect(await view.slotConflicts.innerText()).toContain(`Slot 2: turing-w1 of homelab, ${server} of lab-b`)
    await screenshot(page, 'board-clusters-slots')
  })

  it('warns in the profile editor when another profile claims the slot', async () => {
    const profiles = new ProfilesPage(page)
    await page.goto(host.url)
    await profiles.open()
    await profiles.row('lab-b').click()
    const view = new ProfileView(page)
    await view.waitFor('lab-b')
    await view.waitForValidation()
    await expect
      .poll(() => view.warningOf('nodes[0].slot'))
      .toContain('slot 2 of board "Virtual board" is also turing-w1 (worker) of profile "homelab"')
    // A warning: it does not hold Save back.
    expect(await view.errorOf('nodes[0].slot')).toBe('')
  })

  it('names the cluster and the role before powering off or flashing a node of a deployed cluster', async () => {
    const view = await openBoard()
    const slot = view.slot(1)
    await page.locator('[data-testid="node-slot"][data-node="1"]:not([data-power="unknown"])').waitFor()
    await expect.poll(() => slot.clusterNodes()).toHaveLength(1)
    await host.request('bmc.power', {
      boardId: (await host.request('boards.get', { ref: boardName })).id,
      target: 1,
      action: 'on',
    })
    await slot.waitForPower('on')
    await slot.button('Off').click()
    const off = view.dialog('Power off node 1?')
    await off.root.waitFor()
    expect(await off.text()).toContain('Node 1 is turing-cp1, the control plane of homelab.')
    expect(await off.text()).toContain('Cluster homelab loses a control plane')
    await screenshot(page, 'board-clusters-power-off')
    await off.keep('Keep it running')

    const all = await view.powerAll('off')
    for (const text of ['Node 1 is turing-cp1', 'Node 3 is turing-w2, the worker of homelab']) {
      expect(await all.text()).toContain(text)
    }
    await all.keep('Keep them running')

    await slot.dropFile('talos-other.raw', imageBytes(64 * 1024, 1))
    const flash = slot.flashDialog(boardName)
    await flash.root.waitFor()
    expect(await flash.root.getByTestId('flash-cluster-warning').innerText()).toMatch(
      /Node 1 is turing-cp1, the control plane of homelab[\s\S]*wipes a control plane of cluster homelab/,
    )
    await screenshot(page, 'board-clusters-flash')
    await flash.keep("Don't flash")

    // Only the deployed cluster's node is named: lab-b has never been deployed.
    await view.slot(2).dropFile('talos-other.raw', imageBytes(64 * 1024, 1))
    const plain = view.slot(2).flashDialog(boardName)
    await plain.root.waitFor()
    expect(await plain.root.getByTestId('flash-cluster-warning').allInnerTexts()).toEqual([
      expect.stringContaining('turing-w1, the worker of homelab'),
    ])
    await plain.keep("Don't flash")
  })

  it('warns before removing a board that profiles use', async () => {
    const boards = new BoardsPage(page)
    await boards.open(host.url)
    const dialog = await boards.openRemoveDialog(boardName)
    const warning = dialog.getByTestId('board-used-by')
    expect(await warning.innerText()).toMatch(
      /2 cluster profiles use this board[\s\S]*homelab: turing-cp1 \(slot 1\)[\s\S]*lab-b/,
    )
    await screenshot(page, 'board-clusters-remove')
    await boards.cancelRemove()
  })

  it('offers no action on a board whose BMC does not answer, and says why', async () => {
    // A port that was free a moment ago: the connection is refused.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number }
        server.close(() => resolve(port))
      })
    })
    const virtual = await host.request('boards.get', { ref: boardName })
    await host.request('boards.add', {
      name: 'gone',
      address: `https://127.0.0.1:${port}`,
      user: 'root',
      password: 'turing',
      certificateSha256: virtual.certificateSha256,
    })
    const view = await openBoard('gone')
    await view.boardError.waitFor()
    expect(await view.boardError.innerText()).toContain('Could not reach the BMC')
    for (const name of ['Power all on', 'Power all off', 'Reset all', 'Reboot BMC']) {
      expect(await view.action(name).isDisabled(), name).toBe(true)
    }
    expect(await view.actionsUnavailable.innerText()).toBe('Unavailable: the BMC does not answer (see above)')
    for (const node of [1, 2, 3, 4]) {
      expect(await view.slot(node).flashUnavailable.innerText()).toContain('the BMC does not answer')
      expect(await view.slot(node).button('On').isDisabled()).toBe(true)
      expect(await view.slot(node).dropzone.count()).toBe(0)
    }
    await screenshot(page, 'board-clusters-unreachable')
  })
})
