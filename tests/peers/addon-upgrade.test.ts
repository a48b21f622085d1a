// `clusterdeck upgrade lab --addons` as a user runs it, on the virtual board whose Talos control
// plane is the loopback cluster, with the real helm and the project's stand-in charts from a chart
// repository on loopback (CLUSTERDECK_CHART_REPOSITORY). The cluster is deployed at the catalogue's
// pins, then some releases are moved back with the real helm to older stand-in chart versions
// (packaged for the test with helm package --version), as a cluster deployed by an earlier
// Clusterdeck runs them. The upgrade must move each of those to its pin — a new revision, the new
// chart's objects in the cluster — and skip the releases already at theirs; a new chart the API
// server refuses leaves its release failed, and the step names the revision `helm rollback` returns
// it to. Skipped where the peers are not built.
import { execFile } from 'node:child_process'
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { parse } from 'yaml'
import { addonCatalogue, addonEntry, enabledAddons } from '../../src-shared/addons/addon-catalogue.ts'
import { valuesFor } from '../../src-shared/addons/addon-values.ts'
import type { AddonKey } from '../../src-shared/lifecycle/plan.ts'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import type { VirtualBoard } from '../../src-main/virtual-board/virtual-board-server.ts'
import {
  chartsDir,
  helmEnv,
  serveChartRepository,
  type ChartPackage,
  type ChartRepository,
} from '../support/chart-repository.ts'
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
/** The releases an earlier Clusterdeck left at older charts; cert-manager and monitoring stay at their pins. */
const older: Partial<Record<AddonKey, string>> = {
  metallb: '0.16.0',
  traefik: '42.3.0',
  longhorn: '1.11.2',
  portainer: '239.3.0',
}
const behind = Object.keys(older) as AddonKey[]
const atPin = enabledAddons(template)
  .map((addon) => addon.key)
  .filter((key) => !behind.includes(key))
const olderAppVersion = (key: AddonKey) => `older-${older[key]}`
const pinnedAppVersion = (key: AddonKey) =>
  (
    parse(readFileSync(join(chartsDir, addonEntry(key).chart.name, 'Chart.yaml'), 'utf8')) as {
      appVersion: string
    }
  ).appVersion

interface Release {
  name: string
  namespace: string
  revision: string
  status: string
  chart: string
}

let board: VirtualBoard
let dir: ReturnType<typeof makeTempDir>
let env: NodeJS.ProcessEnv
let repository: ChartRepository
let broken: ChartRepository
let kubeconfigPath: string

const helm = async (...args: string[]) =>
  (
    await run(cluster.helm, [...args, '--kubeconfig', kubeconfigPath], {
      env: helmEnv(join(dir.path, 'helm')),
    })
  ).stdout

/** Every add-on release as `helm list` reports it, by add-on. */
async function releases(): Promise<Record<string, Release>> {
  const listed = JSON.parse(await helm('list', '--all-namespaces', '--output', 'json')) as Release[]
  return Object.fromEntries(
    addonCatalogue.flatMap((addon) => {
      const release = listed.find((r) => r.name === addon.release && r.namespace === addon.namespace)
      return release ? [[addon.key, release]] : []
    }),
  )
}

/** Moves the release back to its older stand-in chart with the values it has, as an earlier pin left it. */
async function moveBack(key: AddonKey): Promise<void> {
  const addon = addonEntry(key)
  await helm(
    'upgrade',
    addon.release,
    addon.chart.name,
    '--repo',
    repository.url,
    '--version',
    older[key]!,
    '--namespace',
    addon.namespace,
    '--reuse-values',
    '--wait',
    '--timeout',
    '120s',
  )
}

/** The image the stand-in chart's first Deployment or DaemonSet runs: it carries the chart's app version. */
async function workloadImage(key: AddonKey): Promise<string> {
  const kubeConfig = new KubeConfig()
  kubeConfig.loadFromFile(kubeconfigPath)
  const apps = kubeConfig.makeApiClient(AppsV1Api)
  const { namespace } = addonEntry(key)
  const [deployment] = (await apps.listNamespacedDeployment({ namespace })).items
  const workload = deployment ?? (await apps.listNamespacedDaemonSet({ namespace })).items[0]
  return workload?.spec?.template.spec?.containers[0]?.image ?? ''
}

const upgradeLab = (args: string[], repositoryUrl = repository.url) =>
  runCli(['upgrade', 'lab', ...args], { env: { ...env, CLUSTERDECK_CHART_REPOSITORY: repositoryUrl } })

describe.skipIf(skip)(`upgrading the add-ons to their pins${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    board = await startLoopbackBoard(cluster)
    const pinned = addonCatalogue.map((addon) => addon.chart.name)
    const olderPackages: ChartPackage[] = behind.map((key) => ({
      name: addonEntry(key).chart.name,
      version: older[key]!,
      appVersion: olderAppVersion(key),
    }))
    repository = await serveChartRepository(cluster.helm, [...pinned, ...olderPackages])
    dir = makeTempDir()
    // Portainer's pinned chart with an object the API server refuses (an invalid name): its
    // upgrade fails half-way, as a broken chart release would.
    const brokenPortainer = join(dir.path, 'broken-portainer')
    cpSync(join(chartsDir, 'portainer'), brokenPortainer, { recursive: true })
    writeFileSync(
      join(brokenPortainer, 'templates', 'refused.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Refused_By_The_API_Server\ndata: {}\n',
    )
    broken = await serveChartRepository(cluster.helm, [
      ...pinned.filter((name) => name !== 'portainer'),
      ...olderPackages,
      { name: 'portainer', dir: brokenPortainer },
    ])
    env = {
      CLUSTERDECK_HOME: join(dir.path, 'home'),
      CLUSTERDECK_BMC_PASSWORD: '',
      CLUSTERDECK_CHART_REPOSITORY: repository.url,
    }
    await setUpTalosDeploy({
      env,
      board,
      dir: dir.path,
      tools: peers.ok ? { talosctl: peers.binaries.talosctl, helm: peers.binaries.helm } : { talosctl: '' },
    })
    const deployed = await runCli(['deploy', 'lab'], { env })
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0)
    kubeconfigPath = join(dir.path, 'lab-kubeconfig')
    const exported = await runCli(['cluster', 'kubeconfig', 'lab', '-o', kubeconfigPath], { env })
    expect(exported.code, exported.stderr).toBe(0)
    for (const key of behind) await moveBack(key)
  }, 240_000)

  afterAll(async () => {
    await board?.close()
    await repository?.close()
    await broken?.close()
    if (dir) await removeAddons(cluster.helm, cluster.kubeconfigPath, join(dir.path, 'helm'))
    dir?.remove()
  })

  it('the dry run lists an upgrade step for every enabled add-on and changes nothing', async () => {
    const before = await releases()
    const dryRun = await upgradeLab(['--addons', '--dry-run'])
    expect(dryRun.code, dryRun.stderr).toBe(0)
    for (const addon of enabledAddons(template)) {
      expect(dryRun.stdout).toMatch(
        new RegExp(
          `addon:${addon.key}\\s+Upgrade ${literal(addon.title)} to chart ${literal(addon.chart.version)}`,
        ),
      )
    }
    expect(await releases()).toEqual(before)
  })

  it('moves each release behind its pin to the pinned chart, a new revision, and skips those at theirs', async () => {
    const before = await releases()
    for (const key of behind) {
      expect(before[key]).toMatchObject({
        status: 'deployed',
        chart: `${addonEntry(key).chart.name}-${older[key]}`,
      })
      expect(await workloadImage(key)).toMatch(new RegExp(`:${olderAppVersion(key)}$`))
    }

    const upgraded = await upgradeLab(['--addons'])
    expect(upgraded.code, upgraded.stdout + upgraded.stderr).toBe(0)
    expect(upgraded.stdout).toMatch(/Run done/)
    const after = await releases()
    for (const key of behind) {
      const addon = addonEntry(key)
      expect(upgraded.stdout).toMatch(
        new RegExp(`✓ Upgrade ${literal(addon.title)} to chart ${literal(addon.chart.version)} — `),
      )
      expect(after[key]).toMatchObject({
        status: 'deployed',
        chart: `${addon.chart.name}-${addon.chart.version}`,
        revision: String(Number(before[key]!.revision) + 1),
      })
      // The new chart's objects are in the cluster, not only its record.
      expect(await workloadImage(key)).toMatch(new RegExp(`:${literal(pinnedAppVersion(key))}$`))
    }
    for (const key of atPin) {
      const addon = addonEntry(key)
      expect(upgraded.stdout).toMatch(
        new RegExp(
          `↷ Upgrade ${literal(addon.title)} to chart ${literal(addon.chart.version)} — already in place: ${literal(addon.release)} ${literal(addon.chart.version)} is deployed with the same values`,
        ),
      )
      expect(after[key]).toEqual(before[key])
    }
    // Upgraded with the values the profile gives, not only the ones helm had (--reuse-values).
    for (const key of behind) {
      const { release, namespace } = addonEntry(key)
      const values = JSON.parse(
        await helm('get', 'values', release, '--namespace', namespace, '--output', 'json'),
      )
      expect(values).toEqual(valuesFor(key, template))
    }
  })

  it('a new chart the cluster refuses leaves its release failed, and the step names the release and its rollback', async () => {
    await moveBack('portainer')
    const before = (await releases()).portainer!
    const failed = await upgradeLab(['--addons'], broken.url)
    expect(failed.code).not.toBe(0)
    const good = Number(before.revision)
    expect(failed.stdout).toMatch(
      new RegExp(
        `✗ Upgrade Portainer to chart 239\\.4\\.0 — The portainer release in portainer failed to move from portainer-239\\.3\\.0 \\(revision ${good}\\) to portainer-239\\.4\\.0, left as revision ${good + 1} \\(failed\\): helm upgrade --install failed .*Refused_By_The_API_Server`,
      ),
    )
    const rollback = new RegExp(
      `Roll it back to revision ${good} \\(portainer-239\\.3\\.0\\): (helm rollback portainer ${good} --namespace portainer) --kubeconfig FILE, with FILE from clusterdeck cluster kubeconfig lab -o FILE;`,
    ).exec(failed.stdout)
    expect(rollback, failed.stdout).not.toBeNull()
    // Only Portainer changed: the others were at their pins already.
    for (const key of atPin.concat(behind.filter((key) => key !== 'portainer')))
      expect(failed.stdout).toMatch(new RegExp(`↷ Upgrade ${literal(addonEntry(key).title)} to chart`))
    const history = JSON.parse(
      await helm('history', 'portainer', '--namespace', 'portainer', '--output', 'json'),
    ) as { revision: number; status: string; chart: string }[]
    expect(history.at(-1)).toMatchObject({ revision: good + 1, status: 'failed', chart: 'portainer-239.4.0' })

    // The command the step names, run as the user would, returns the release to the chart it ran.
    await helm(...rollback![1]!.split(' ').slice(1))
    expect((await releases()).portainer).toMatchObject({
      status: 'deployed',
      chart: 'portainer-239.3.0',
      revision: String(good + 2),
    })

    // With the chart fixed (the good repository), the resumed upgrade takes it to its pin.
    const resumed = await upgradeLab(['--resume'])
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
    expect(resumed.stdout).toMatch(
      /✓ Upgrade Portainer to chart 239\.4\.0 — Portainer 239\.4\.0 is installed and ready/,
    )
    expect((await releases()).portainer).toMatchObject({
      status: 'deployed',
      chart: 'portainer-239.4.0',
      revision: String(good + 3),
    })
  })
})

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
