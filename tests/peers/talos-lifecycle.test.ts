// The whole virtual lifecycle: `clusterdeck deploy` of the talos-rk1-longhorn template, as a user
// runs it, on the virtual board whose Talos control plane is the loopback cluster — images, flashes
// and boots, the bootstrap with the real talosctl, every add-on with the real helm from the
// project's stand-in charts (a chart repository on loopback, named by CLUSTERDECK_CHART_REPOSITORY),
// and the last readiness step. The cluster's exported kubeconfig then shows the same to the peers'
// helm and to the app's node reader. Skipped where the peers are not built.
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { parse } from 'yaml'
import { addonCatalogue, enabledAddons } from '../../src-shared/addons/addon-catalogue.ts'
import { compilePlan } from '../../src-shared/lifecycle/compile-plan.ts'
import { phaseTitles, planPhases } from '../../src-shared/lifecycle/plan.ts'
import type { ClusterProfile } from '../../src-shared/profiles/profile-schema.ts'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import { ClusterRepository } from '../../src-main/clusters/cluster-repository.ts'
import { listNodeReadiness } from '../../src-main/kube/kube-nodes.ts'
import { openDatabase } from '../../src-main/store/database.ts'
import type { VirtualBoard } from '../../src-main/virtual-board/virtual-board-server.ts'
import { helmEnv, serveChartRepository, type ChartRepository } from '../support/chart-repository.ts'
import { findPeers } from '../support/peers.ts'
import { removeAddons } from '../support/remove-addons.ts'
import { runCli } from '../support/run-cli.ts'
import { setUpTalosDeploy } from '../support/talos-cli-setup.ts'
import { makeTempDir } from '../support/temp-dir.ts'
import { startLoopbackBoard } from './support/loopback-board.ts'

const run = promisify(execFile)
const cluster = inject('loopbackCluster')
const peers = findPeers(['talosctl', 'helm'])
const skip = cluster.skip ?? (peers.ok ? undefined : peers.reason)

const template = profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })
const hostnames = template.nodes.map((node) => node.hostname)

let board: VirtualBoard
let dir: ReturnType<typeof makeTempDir>
let env: NodeJS.ProcessEnv
let repository: ChartRepository
let profileFile: string

describe.skipIf(skip)(`the whole virtual lifecycle${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    board = await startLoopbackBoard(cluster)
    repository = await serveChartRepository(
      cluster.helm,
      addonCatalogue.map((addon) => addon.chart.name),
    )
    dir = makeTempDir()
    env = {
      CLUSTERDECK_HOME: join(dir.path, 'home'),
      CLUSTERDECK_BMC_PASSWORD: '',
      CLUSTERDECK_CHART_REPOSITORY: repository.url,
    }
    profileFile = await setUpTalosDeploy({
      env,
      board,
      dir: dir.path,
      tools: peers.ok ? { talosctl: peers.binaries.talosctl, helm: peers.binaries.helm } : { talosctl: '' },
    })
  })

  afterAll(async () => {
    await board?.close()
    await repository?.close()
    if (dir) await removeAddons(cluster.helm, cluster.kubeconfigPath, join(dir.path, 'helm'))
    dir?.remove()
  })

  it('deploys the talos-rk1-longhorn template to Ready: every phase done, every release deployed, four Ready nodes', async () => {
    const deployed = await runCli(['deploy', 'lab'], { env })
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0)
    expect(deployed.stdout).toMatch(/^Run \S+ of "lab" through Ready$/m)
    // Each step of every phase printed done (✓) — the image already in the library as in place (↷).
    const plan = compilePlan(parse(await readFile(profileFile, 'utf8')) as ClusterProfile)
    expect(planPhases(plan).map((phase) => phaseTitles[phase])).toEqual([
      'Image preparation',
      'Node imaging',
      'Cluster bootstrap',
      'Add-on deployment',
      'Ready',
    ])
    for (const step of plan.steps)
      expect(deployed.stdout).toContain(`${step.kind === 'image.prepare' ? '↷' : '✓'} ${step.title}`)
    expect(deployed.stdout).not.toMatch(/ [✗⊘■] /)
    expect(deployed.stdout).toMatch(/✓ Cluster ready — The cluster is Ready: 4 nodes Ready, MetalLB, Traefik/)
    expect(deployed.stdout).toMatch(/Run done: Finished Ready\./)

    const kubeconfigPath = join(dir.path, 'lab-kubeconfig')
    const exported = await runCli(['cluster', 'kubeconfig', 'lab', '-o', kubeconfigPath], { env })
    expect(exported.code, exported.stderr).toBe(0)

    const { stdout } = await run(
      cluster.helm,
      ['list', '-A', '--output', 'json', '--kubeconfig', kubeconfigPath],
      { env: helmEnv(join(dir.path, 'helm')) },
    )
    const releases = JSON.parse(stdout) as {
      name: string
      namespace: string
      status: string
      chart: string
    }[]
    for (const addon of enabledAddons(template)) {
      expect(releases).toContainEqual(
        expect.objectContaining({
          name: addon.release,
          namespace: addon.namespace,
          status: 'deployed',
          chart: `${addon.chart.name}-${addon.chart.version}`,
        }),
      )
    }

    const nodes = await listNodeReadiness(await readFile(kubeconfigPath, 'utf8'))
    for (const hostname of hostnames)
      expect(nodes).toContainEqual({ name: hostname, ready: true, reason: '' })

    // The cluster record says when the deploy found it Ready.
    const db = openDatabase(env.CLUSTERDECK_HOME!)
    try {
      expect(new ClusterRepository(db).find('lab')?.readyAt).toMatch(/^\d{4}-\d\d-\d\dT/)
    } finally {
      db.close()
    }
  })
})
