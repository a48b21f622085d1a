// The add-on phase of the talos-rk1-longhorn template, run by the real lifecycle engine with the
// real addon.install executor into the loopback Kubernetes cluster: the real helm (resolved by the
// tools manager) installs the project's stand-in charts (tests/fixtures/charts: the same chart
// names, versions, releases, namespaces and readiness) from a chart repository on loopback, named
// by the chart mirror setting. The run is one interrupted after the bootstrap, as a resumed deploy
// finds it: the cluster's kubeconfig sealed, the add-ons still to do.
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  StorageV1Api,
  type V1Namespace,
} from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { addonCatalogue, enabledAddons } from '../../src-shared/addons/addon-catalogue.ts'
import type { Run } from '../../src-shared/lifecycle/run-schema.ts'
import { stepIds } from '../../src-shared/lifecycle/step-ids.ts'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import type { SavedProfile } from '../../src-shared/profiles/profile-schema.ts'
import { addonInstallStep } from '../../src-main/addons/addon-install-step.ts'
import { confirmLonghornDeletion, longhornConfirmation } from '../../src-main/kube/longhorn-deletion.ts'
import { addonUninstallStep } from '../../src-main/day2/addon-uninstall-step.ts'
import { ClusterRepository } from '../../src-main/clusters/cluster-repository.ts'
import { ClusterService } from '../../src-main/clusters/cluster-service.ts'
import { EventBus } from '../../src-main/core/event-bus.ts'
import { LifecycleEngine } from '../../src-main/lifecycle/lifecycle-engine.ts'
import { RunRepository } from '../../src-main/lifecycle/run-repository.ts'
import { ProfileRepository } from '../../src-main/profiles/profile-repository.ts'
import { SealedSecrets } from '../../src-main/secrets/sealed-secrets.ts'
import { openDatabase, type Db } from '../../src-main/store/database.ts'
import { SettingsStore } from '../../src-main/store/settings-store.ts'
import { pinnedTools } from '../../src-main/tools/tool-manifest.ts'
import { ToolsService } from '../../src-main/tools/tools-service.ts'
import { helmEnv, serveChartRepository, type ChartRepository } from '../support/chart-repository.ts'
import { fakeStepContext } from '../support/fake-step-context.ts'
import { interruptedRun } from '../support/interrupted-run.ts'
import { filesContaining } from '../support/find-in-files.ts'
import { MemorySecretStore } from '../support/memory-secret-store.ts'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'
import { removeAddons } from '../support/remove-addons.ts'

const run = promisify(execFile)
const cluster = inject('loopbackCluster')
const skip = cluster.skip

const profile = profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })
const addonSteps = enabledAddons(profile).map((addon) => stepIds.addonInstall(addon.key))
describe.skipIf(skip !== undefined)(`add-on install${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const kubeConfig = new KubeConfig()
  let dataDir: string
  let helmHome: string
  let db: Db
  let runs: RunRepository
  let clusters: ClusterService
  let engine: LifecycleEngine
  let engineFor: (chartMirror: string) => LifecycleEngine
  let tools: ToolsService
  let repository: ChartRepository
  let saved: SavedProfile
  let clusterId: string

  const helm = async (...args: string[]) =>
    (await run(cluster.helm, [...args, '--kubeconfig', cluster.kubeconfigPath], { env: helmEnv(helmHome) }))
      .stdout

  async function resumeInterruptedRun(from: SavedProfile = saved, by = engine): Promise<Run> {
    const interrupted = interruptedRun(from)
    runs.create(interrupted, from.profile)
    by.resume(interrupted.id)
    return by.settled(interrupted.id)
  }

  /** Longhorn's deleting-confirmation-flag Setting's value, or null when there is none. */
  const confirmationFlag = async () => {
    const setting = await kubeConfig
      .makeApiClient(CustomObjectsApi)
      .getNamespacedCustomObject({ ...longhornConfirmation, namespace: 'longhorn-system' })
      .catch(() => null)
    return (setting as { value: string } | null)?.value ?? null
  }

  const stepOf = (done: Run, stepId: string) => done.steps.find((step) => step.stepId === stepId)!

  beforeAll(async () => {
    kubeConfig.loadFromFile(cluster.kubeconfigPath)
    dataDir = await mkdtemp(join(tmpdir(), 'clusterdeck-addons-'))
    helmHome = await mkdtemp(join(tmpdir(), 'clusterdeck-helm-'))
    repository = await serveChartRepository(
      cluster.helm,
      addonCatalogue.map((addon) => addon.chart.name),
    )
    db = openDatabase(dataDir)
    runs = new RunRepository(db)
    clusters = new ClusterService(
      new ClusterRepository(db),
      new SealedSecrets(dataDir, new MemorySecretStore()),
    )
    saved = new ProfileRepository(db).upsert(randomUUID(), profile, new Date().toISOString())
    clusterId = clusters.forProfile(saved.id, profile).id
    // What the bootstrap leaves: the cluster's kubeconfig, sealed.
    await clusters.sealSecret(clusterId, 'kubeconfig', await readFile(cluster.kubeconfigPath, 'utf8'))
    const events = new EventBus()
    // The peers' helm on the search path: the tools manager picks it as it would the user's own.
    tools = new ToolsService({
      dataDir,
      settings: new SettingsStore(db),
      events,
      manifest: pinnedTools,
      searchPath: dirname(cluster.helm),
      platform: null,
    })
    engineFor = (chartMirror) =>
      new LifecycleEngine({
        runs,
        profiles: { get: () => saved },
        boardNames: async () => ['rack-1'],
        events,
        sealedSecrets: () => ({
          seal: async (name, value) => void (await clusters.sealSecret(clusterId, name, value)),
          open: async (name) => (await clusters.openSecret(clusterId, name)).toString('utf8'),
        }),
        executors: { 'addon.install': addonInstallStep({ tools, dataDir, chartMirror, pollMs: 250 }) },
      })
    engine = engineFor(repository.url)
  })

  afterAll(async () => {
    await engine?.stopAll()
    if (helmHome) await removeAddons(cluster.helm, cluster.kubeconfigPath, helmHome)
    await repository?.close()
    await tools?.close()
    db?.close()
    for (const dir of [dataDir, helmHome]) if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('a chart the repository lacks fails its step with helm’s error, and what sits on it does not start', async () => {
    const empty = await serveChartRepository(cluster.helm, [])
    try {
      const failed = await resumeInterruptedRun(saved, engineFor(empty.url))
      expect(failed.state).toBe('failed')
      const metallb = stepOf(failed, stepIds.addonInstall('metallb'))
      expect(metallb.state).toBe('failed')
      expect(metallb.message).toMatch(
        /helm upgrade --install failed \(exit code 1\): .*"metallb".*0\.16\.1.*not found/s,
      )
      expect(addonSteps.filter((id) => stepOf(failed, id).state === 'blocked')).toEqual(addonSteps.slice(1))
      const releases = JSON.parse(await helm('list', '--all-namespaces', '--output', 'json')) as {
        name: string
      }[]
      expect(releases.map((release) => release.name)).not.toContain('metallb')
    } finally {
      await empty.close()
    }
  })

  it('installs every add-on of the template in its layers, each release deployed in its namespace and ready', async () => {
    const done = await resumeInterruptedRun()
    expect(
      addonSteps.map((id) => `${id}: ${stepOf(done, id).state}`),
      addonSteps.map((id) => `${id}: ${stepOf(done, id).message}`).join('\n'),
    ).toEqual(addonSteps.map((id) => `${id}: done`))
    expect(done.state).toBe('done')

    const releases = JSON.parse(await helm('list', '--all-namespaces', '--output', 'json')) as {
      name: string
      namespace: string
      status: string
      chart: string
    }[]
    for (const addon of enabledAddons(profile)) {
      expect(releases).toContainEqual(
        expect.objectContaining({
          name: addon.release,
          namespace: addon.namespace,
          status: 'deployed',
          chart: `${addon.chart.name}-${addon.chart.version}`,
        }),
      )
    }
    for (const id of addonSteps) {
      const [addon] = addonCatalogue.filter((entry) => stepIds.addonInstall(entry.key) === id)
      expect(repository.downloads.get(`${addon!.chart.name}-${addon!.chart.version}.tgz`)).toBeGreaterThan(0)
    }

    // Independent branches at once: the ingress controller and Longhorn both wait only for MetalLB.
    const traefik = stepOf(done, stepIds.addonInstall('traefik'))
    const longhorn = stepOf(done, stepIds.addonInstall('longhorn'))
    expect(traefik.startedAt! < longhorn.finishedAt! && longhorn.startedAt! < traefik.finishedAt!).toBe(true)
    // Layers: nothing on top of MetalLB starts before it is done.
    const metallb = stepOf(done, stepIds.addonInstall('metallb'))
    for (const id of addonSteps.filter((id) => id !== stepIds.addonInstall('metallb')))
      expect(stepOf(done, id).startedAt! >= metallb.finishedAt!).toBe(true)

    // helm's own output is in the step log.
    expect(runs.log(done.id, stepIds.addonInstall('metallb'))).toContain('STATUS: deployed')
    expect(runs.log(done.id, stepIds.addonInstall('metallb'))).toContain(
      'applied IPAddressPool clusterdeck-pool',
    )
  })

  it('applies the profile: MetalLB’s pool and the ingress address from it, privileged namespaces, Longhorn’s path and replicas, a Ready ClusterIssuer', async () => {
    const custom = kubeConfig.makeApiClient(CustomObjectsApi)
    const core = kubeConfig.makeApiClient(CoreV1Api)
    const pool = (await custom.getNamespacedCustomObject({
      group: 'metallb.io',
      version: 'v1beta1',
      namespace: 'metallb-system',
      plural: 'ipaddresspools',
      name: 'clusterdeck-pool',
    })) as { spec: { addresses: string[] } }
    expect(pool.spec.addresses).toEqual([profile.network.metallbRange])

    const ingress = await core.readNamespacedService({ name: 'traefik', namespace: 'traefik' })
    expect(ingress.status?.loadBalancer?.ingress?.[0]?.ip).toMatch(/^10\.10\.88\.(8\d)$/)
    const portainer = await core.readNamespacedService({ name: 'portainer', namespace: 'portainer' })
    expect(portainer.status?.loadBalancer?.ingress?.[0]?.ip).toMatch(/^10\.10\.88\.(8\d)$/)
    const claim = await core.readNamespacedPersistentVolumeClaim({
      name: 'portainer',
      namespace: 'portainer',
    })
    expect(claim.spec?.storageClassName).toBe('longhorn')
    expect(claim.status?.phase).toBe('Bound')

    const labels = (namespace: V1Namespace) => namespace.metadata?.labels ?? {}
    for (const name of ['metallb-system', 'longhorn-system', 'monitoring'])
      expect(labels(await core.readNamespace({ name }))).toMatchObject({
        'pod-security.kubernetes.io/enforce': 'privileged',
      })
    expect(labels(await core.readNamespace({ name: 'traefik' }))).not.toHaveProperty(
      'pod-security.kubernetes.io/enforce',
    )

    const settings = await core.readNamespacedConfigMap({
      name: 'longhorn-default-setting',
      namespace: 'longhorn-system',
    })
    expect(settings.data?.['default-setting.yaml']).toBe('default-data-path: /var/mnt/longhorn')
    const storageClass = await kubeConfig.makeApiClient(StorageV1Api).readStorageClass({ name: 'longhorn' })
    expect(storageClass.parameters?.numberOfReplicas).toBe(String(profile.addons.longhorn.replicaCount))

    const issuer = (await custom.getClusterCustomObject({
      group: 'cert-manager.io',
      version: 'v1',
      plural: 'clusterissuers',
      name: 'clusterdeck-selfsigned',
    })) as { spec: unknown; status: { conditions: { type: string; status: string }[] } }
    expect(issuer.spec).toEqual({ selfSigned: {} })
    expect(issuer.status.conditions).toContainEqual(
      expect.objectContaining({ type: 'Ready', status: 'True' }),
    )
  })

  it('a second run skips every release: same chart version, same values, still ready', async () => {
    const again = await resumeInterruptedRun()
    expect(addonSteps.map((id) => `${id}: ${stepOf(again, id).state}`)).toEqual(
      addonSteps.map((id) => `${id}: skipped`),
    )
    const history = JSON.parse(
      await helm('history', 'kube-prometheus-stack', '--namespace', 'monitoring', '--output', 'json'),
    ) as unknown[]
    expect(history).toHaveLength(1)
  })

  it('ingress-nginx, the retired choice, still installs and gets its address from the pool', async () => {
    const legacy = structuredClone(saved)
    legacy.profile.addons.traefik.enabled = false
    legacy.profile.addons.ingressNginx.enabled = true
    const done = await resumeInterruptedRun(legacy)
    expect(stepOf(done, stepIds.addonInstall('metallb')).state).toBe('skipped')
    expect(stepOf(done, stepIds.addonInstall('ingressNginx'))).toMatchObject({
      state: 'done',
      message: expect.stringMatching(
        /^ingress-nginx 4\.15\.1 is installed and ready; address 10\.10\.88\.8\d$/,
      ),
    })
    // cert-manager now sits on ingress-nginx, with the same values and issuer: nothing to do.
    expect(stepOf(done, stepIds.addonInstall('certManager')).state).toBe('skipped')
    await helm('uninstall', 'ingress-nginx', '--namespace', 'ingress-nginx')
  })

  it('a changed value upgrades only the releases it belongs to', async () => {
    const edited = structuredClone(saved)
    edited.profile.addons.longhorn.replicaCount = 3
    edited.profile.addons.monitoring.storageSize = '30Gi'
    const changed = [stepIds.addonInstall('longhorn'), stepIds.addonInstall('monitoring')]
    const again = await resumeInterruptedRun(edited)
    expect(
      addonSteps.map((id) => `${id}: ${stepOf(again, id).state}`),
      changed.map((id) => stepOf(again, id).message).join('\n'),
    ).toEqual(addonSteps.map((id) => `${id}: ${changed.includes(id) ? 'done' : 'skipped'}`))

    // Longhorn's StorageClass was made anew with the new replica count (its parameters are immutable).
    const storageClass = await kubeConfig.makeApiClient(StorageV1Api).readStorageClass({ name: 'longhorn' })
    expect(storageClass.parameters?.numberOfReplicas).toBe('3')
    const values = JSON.parse(
      await helm('get', 'values', 'kube-prometheus-stack', '--namespace', 'monitoring', '--output', 'json'),
    ) as { prometheus: { prometheusSpec: { storageSpec: { volumeClaimTemplate: { spec: unknown } } } } }
    expect(values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec).toMatchObject({
      storageClassName: 'longhorn',
      resources: { requests: { storage: '30Gi' } },
    })
    for (const [release, namespace] of [
      ['longhorn', 'longhorn-system'],
      ['kube-prometheus-stack', 'monitoring'],
    ] as const) {
      const history = JSON.parse(
        await helm('history', release, '--namespace', namespace, '--output', 'json'),
      ) as {
        status: string
      }[]
      expect(history.map((revision) => revision.status)).toEqual(['superseded', 'deployed'])
    }
  })

  it('generates Grafana’s admin password, seals it, gives it to the chart, and never lets it out', async () => {
    const password = (await clusters.openSecret(clusterId, sealedNames.grafanaAdminPassword)).toString('utf8')
    expect(password.length).toBeGreaterThanOrEqual(24)
    const secret = await kubeConfig
      .makeApiClient(CoreV1Api)
      .readNamespacedSecret({ name: 'kube-prometheus-stack-grafana', namespace: 'monitoring' })
    expect(Buffer.from(secret.data?.['admin-password'] ?? '', 'base64').toString('utf8')).toBe(password)

    for (const summary of runs.list('lab')) {
      for (const id of addonSteps) {
        expect(runs.log(summary.id, id)).not.toContain(password)
        expect(JSON.stringify(runs.output(summary.id, id) ?? {})).not.toContain(password)
      }
    }
    const monitoringLogs = runs
      .list('lab')
      .map((summary) => runs.log(summary.id, stepIds.addonInstall('monitoring')))
    expect(
      monitoringLogs.filter((log) => log.includes(`sealed it as "${sealedNames.grafanaAdminPassword}"`)),
    ).toHaveLength(1)
    // SQLite (WAL included), the sealed files and helm's cache: nowhere in clear.
    expect(filesContaining(dataDir, password)).toEqual([])
  })

  // Last: Longhorn is removed here. Its stand-in chart's pre-delete hook reads the flag as the real one does.
  it('helm uninstall of Longhorn is refused by its pre-delete hook while deleting-confirmation-flag is "false"', async () => {
    const refused = await helm(
      'uninstall',
      'longhorn',
      '--namespace',
      'longhorn-system',
      '--wait',
      '--timeout',
      '120s',
    ).then(
      () => 'uninstalled',
      (error: { stderr: string }) => error.stderr,
    )
    // helm 4 waits on the hook Job's status, which ends Failed.
    expect(refused).toMatch(/Job\/longhorn-system\/longhorn-uninstall not ready\. status: Failed/)
    // The Job's pods (the first and the one retry of backoffLimit 1) say why.
    const job = await kubeConfig
      .makeApiClient(BatchV1Api)
      .readNamespacedJob({ name: 'longhorn-uninstall', namespace: 'longhorn-system' })
    const pods = await kubeConfig.makeApiClient(CoreV1Api).listNamespacedPod({
      namespace: 'longhorn-system',
      labelSelector: 'app.kubernetes.io/name=longhorn-uninstall',
    })
    const refusal = ['Failed', expect.stringContaining('deleting-confirmation-flag is not "true"')]
    expect(
      pods.items
        .filter((pod) => pod.metadata?.ownerReferences?.some((owner) => owner.uid === job.metadata?.uid))
        .map((pod) => [pod.status?.phase, pod.status?.message]),
    ).toEqual([refusal, refusal])
    // Nothing was removed: the manager and the flag are still there.
    await kubeConfig
      .makeApiClient(AppsV1Api)
      .readNamespacedDaemonSet({ name: 'longhorn-manager', namespace: 'longhorn-system' })
    expect(await confirmationFlag()).toBe('false')
  })

  it('the addon.uninstall step sets the flag before helm uninstall, removes Longhorn, and is done on resume', async () => {
    const step = addonUninstallStep({ tools, dataDir })
    const context = fakeStepContext(profile, stepIds.addonUninstall('longhorn'), 'addon.uninstall', {
      operation: 'destroy',
      sealed: { [sealedNames.kubeconfig]: await readFile(cluster.kubeconfigPath, 'utf8') },
    })
    expect(await step.alreadyDone!(context)).toBeNull()
    expect(await step.run(context)).toMatchObject({
      message: 'Uninstalled Longhorn (release longhorn in longhorn-system)',
    })
    const confirmed = context.lines.findIndex((line) =>
      line.startsWith("Set Longhorn's deleting-confirmation-flag"),
    )
    const uninstalled = context.lines.findIndex((line) => line.startsWith('helm uninstall longhorn'))
    expect(confirmed).toBeGreaterThanOrEqual(0)
    expect(confirmed).toBeLessThan(uninstalled)
    await expect(
      kubeConfig
        .makeApiClient(AppsV1Api)
        .readNamespacedDaemonSet({ name: 'longhorn-manager', namespace: 'longhorn-system' }),
    ).rejects.toMatchObject({ code: 404 })
    expect(await step.alreadyDone!(context)).toEqual({
      message: 'no longhorn release in namespace longhorn-system',
    })
    // A Longhorn already partly removed has no flag to set: that is said, and is no failure.
    const lines: string[] = []
    await confirmLonghornDeletion({
      kubeconfig: await readFile(cluster.kubeconfigPath, 'utf8'),
      namespace: 'longhorn-system',
      signal: context.signal,
      log: (line) => lines.push(line),
    })
    expect(await confirmationFlag()).toBeNull()
    expect(lines).toEqual([
      expect.stringContaining(
        'deleting-confirmation-flag (settings.longhorn.io in longhorn-system) is not there',
      ),
    ])
  })
})
