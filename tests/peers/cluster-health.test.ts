// The cluster view's health against the loopback cluster: the talos-rk1-longhorn add-ons installed
// by the real engine and helm from the stand-in charts, the cluster's real kubeconfig sealed in its
// record (the real Secret Service, as the CLI process reads it), then `clusterdeck cluster health
// lab --json` as a process — healthy, degraded once a kwok node goes NotReady (announced live by
// the watch), and a calm message for a cluster whose API server is not there.
import { readFile } from 'node:fs/promises'
import { delimiter, dirname, join } from 'node:path'
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { addonCatalogue, enabledAddons } from '../../src-shared/addons/addon-catalogue.ts'
import type { ClusterHealth } from '../../src-shared/clusters/health-schema.ts'
import type { SavedProfile } from '../../src-shared/profiles/profile-schema.ts'
import { addonInstallStep } from '../../src-main/addons/addon-install-step.ts'
import { createAppCore, type AppCore } from '../../src-main/core/app-core.ts'
import { EventBus } from '../../src-main/core/event-bus.ts'
import { LifecycleEngine } from '../../src-main/lifecycle/lifecycle-engine.ts'
import { RunRepository } from '../../src-main/lifecycle/run-repository.ts'
import { KeyringSecretStore } from '../../src-main/secrets/keyring-secret-store.ts'
import { openDatabase, type Db } from '../../src-main/store/database.ts'
import { SettingsStore } from '../../src-main/store/settings-store.ts'
import { pinnedTools } from '../../src-main/tools/tool-manifest.ts'
import { ToolsService } from '../../src-main/tools/tools-service.ts'
import { sealBootstrappedCluster, type BootstrappedCluster } from '../support/bootstrapped-cluster.ts'
import { serveChartRepository, type ChartRepository } from '../support/chart-repository.ts'
import { removeAddons } from '../support/remove-addons.ts'
import { closedPort } from '../support/closed-port.ts'
import { interruptedRun } from '../support/interrupted-run.ts'
import { addSimulatedNode, makeNodeNotReady } from '../support/loopback-cluster.ts'
import { runCli } from '../support/run-cli.ts'
import { makeTempDir } from '../support/temp-dir.ts'

const cluster = inject('loopbackCluster')
const skip = cluster.skip
const extraNode = 'health-node'

describe.skipIf(skip !== undefined)(`cluster health${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const keychain = new KeyringSecretStore()
  const kubeConfig = new KubeConfig()
  let dir: ReturnType<typeof makeTempDir>
  let core: AppCore
  let db: Db
  let tools: ToolsService
  let repository: ChartRepository
  let lab: BootstrappedCluster
  let down: BootstrappedCluster
  let saved: SavedProfile
  let env: NodeJS.ProcessEnv

  const health = async (name: string) => {
    const run = await runCli(['cluster', 'health', name, '--json'], { env })
    return { ...run, health: run.stdout ? (JSON.parse(run.stdout) as ClusterHealth) : undefined }
  }

  beforeAll(async () => {
    kubeConfig.loadFromFile(cluster.kubeconfigPath)
    dir = makeTempDir()
    const dataDir = join(dir.path, 'data')
    // The CLI finds the peers' helm on its search path, as it would the user's own.
    env = { CLUSTERDECK_HOME: dataDir, PATH: `${dirname(cluster.helm)}${delimiter}${process.env.PATH}` }
    core = createAppCore({ dataDir, secrets: keychain, transport: 'cli' })
    await core.dispatch('boards.add', {
      name: 'rack-1',
      address: 'https://127.0.0.1:9',
      user: 'root',
      password: 'turing',
    })
    lab = await sealBootstrappedCluster(core, keychain, { name: 'lab', board: 'rack-1' })
    await core.clusters.sealSecret(lab.id, 'kubeconfig', await readFile(cluster.kubeconfigPath, 'utf8'))
    down = await sealBootstrappedCluster(core, keychain, { name: 'down', board: 'rack-1' })
    const port = await closedPort()
    await core.clusters.sealSecret(
      down.id,
      'kubeconfig',
      (await readFile(cluster.kubeconfigPath, 'utf8')).replace(
        /server: https:\/\/[^\s]+/,
        `server: https://127.0.0.1:${port}`,
      ),
    )
    // The shared cluster may still hold Nodes that earlier files' virtual nodes joined (their boards
    // are gone, some powered off or reset on purpose): the health of this cluster is that of the
    // whole API, so it starts from the loopback cluster's own nodes and its own extra one.
    const nodes = kubeConfig.makeApiClient(CoreV1Api)
    for (const node of (await nodes.listNode()).items) {
      const name = node.metadata?.name ?? ''
      if (!cluster.nodeNames.includes(name)) await nodes.deleteNode({ name })
    }
    await addSimulatedNode(kubeConfig, extraNode)

    // The add-ons, as a resumed deploy installs them.
    db = openDatabase(dataDir)
    repository = await serveChartRepository(
      cluster.helm,
      addonCatalogue.map((addon) => addon.chart.name),
    )
    const events = new EventBus()
    tools = new ToolsService({
      dataDir,
      settings: new SettingsStore(db),
      events,
      manifest: pinnedTools,
      searchPath: dirname(cluster.helm),
      platform: null,
    })
    const got = await core.dispatch('profiles.get', { ref: 'lab' })
    if (!got.ok) throw new Error(got.error.message)
    saved = got.value as SavedProfile
    const runs = new RunRepository(db)
    const engine = new LifecycleEngine({
      runs,
      profiles: { get: () => saved },
      boardNames: async () => ['rack-1'],
      events,
      sealedSecrets: () => ({
        seal: async (name, value) => void (await core.clusters.sealSecret(lab.id, name, value)),
        open: async (name) => (await core.clusters.openSecret(lab.id, name)).toString('utf8'),
      }),
      executors: {
        'addon.install': addonInstallStep({ tools, dataDir, chartMirror: repository.url, pollMs: 250 }),
      },
    })
    const run = interruptedRun(saved)
    runs.create(run, saved.profile)
    engine.resume(run.id)
    const done = await engine.settled(run.id)
    expect(done.state, done.steps.map((step) => `${step.stepId}: ${step.message}`).join('\n')).toBe('done')
  })

  afterAll(async () => {
    await core?.close()
    await kubeConfig
      .makeApiClient(CoreV1Api)
      .deleteNode({ name: extraNode })
      .catch(() => undefined)
    if (dir) await removeAddons(cluster.helm, cluster.kubeconfigPath, join(dir.path, 'helm'))
    await repository?.close()
    await tools?.close()
    db?.close()
    await lab?.forget()
    await down?.forget()
    dir?.remove()
  })

  it('reports a cluster whose nodes and add-ons are all ready as healthy, exit code 0', async () => {
    const { code, health: report, stderr } = await health('lab')
    expect(code, `${JSON.stringify(report?.reasons)}\n${stderr}`).toBe(0)
    expect(report!.state).toBe('healthy')
    expect(report!.nodes.map((node) => node.name)).toContain(extraNode)
    expect(report!.nodes.filter((node) => !node.ready || node.kubeletVersion === '')).toEqual([])
    const addons = enabledAddons(saved.profile)
    expect(report!.addons.map((addon) => addon.key)).toEqual(addons.map((addon) => addon.key))
    for (const addon of addons) {
      expect(report!.addons).toContainEqual(
        expect.objectContaining({
          key: addon.key,
          releaseStatus: 'deployed',
          chart: `${addon.chart.name}-${addon.chart.version}`,
          ready: true,
        }),
      )
    }
    const portainer = report!.addons.find((addon) => addon.key === 'portainer')!
    expect(portainer.url).toMatch(/^https:\/\/10\.10\.88\.8\d:9443$/)
    expect(portainer.podsReady).toBe(portainer.podsTotal)
    const grafana = report!.addons.find((addon) => addon.key === 'monitoring')!
    expect(grafana.portForward?.command).toContain('service/kube-prometheus-stack-grafana 8080:80')
    // The sealed Grafana password is nowhere in the report.
    const password = await core.dispatch('clusters.addonSecret', { ref: 'lab', addon: 'monitoring' })
    if (!password.ok) throw new Error(password.error.message)
    expect(JSON.stringify(report)).not.toContain((password.value as { password: string }).password)
  })

  it('a node gone NotReady makes it degraded: announced by the watch, and the CLI exits 1 naming the node', async () => {
    const first = await core.dispatch('clusters.health', { ref: 'lab' })
    expect(first.ok && (first.value as ClusterHealth).state).toBe('healthy')
    const degraded = new Promise<ClusterHealth>((resolve) => {
      const stop = core.events.on('clusters.healthChanged', (changed) => {
        if (changed.cluster === 'lab' && changed.state === 'degraded') {
          stop()
          resolve(changed)
        }
      })
    })
    await makeNodeNotReady(kubeConfig, extraNode)
    const announced = await degraded
    expect(announced.nodes.find((node) => node.name === extraNode)).toMatchObject({
      ready: false,
      reason: 'KubeletNotReady: node stopped by the test',
    })

    const { code, health: report } = await health('lab')
    expect(code).toBe(1)
    expect(report!.state).toBe('degraded')
    expect(report!.reasons).toContain(
      `Node ${extraNode} is not Ready: KubeletNotReady: node stopped by the test.`,
    )
    const table = await runCli(['cluster', 'health', 'lab'], { env })
    expect(table.code).toBe(1)
    expect(table.stdout).toMatch(new RegExp(`${extraNode}\\s+NotReady: KubeletNotReady`))
  })

  it('a cluster whose API server is not there is unreachable, said calmly with exit code 3', async () => {
    const { code, health: report, stderr } = await health('down')
    expect(code).toBe(3)
    expect(report!.state).toBe('unreachable')
    expect(report!.unreachable!.message).toMatch(
      /Could not reach the Kubernetes API at https:\/\/127\.0\.0\.1:\d+ .*ECONNREFUSED/,
    )
    const table = await runCli(['cluster', 'health', 'down'], { env })
    expect(table.code).toBe(3)
    expect(table.stdout).toContain('down: unreachable (https://127.0.0.1:')
    expect(table.stdout).toContain('hint: Check that the cluster’s control plane nodes are powered on')
    expect(`${table.stdout}${stderr}${table.stderr}`).not.toMatch(/\n\s+at /)
  })
})
