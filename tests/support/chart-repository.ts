// A Helm chart repository on loopback: the project's own charts (tests/fixtures/charts), packaged
// with the real `helm package`, indexed with `helm repo index` and served over HTTP from 127.0.0.1,
// so `helm upgrade --install --repo …` resolves and downloads them as it would from a real repository.
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { promisify } from 'node:util'
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node'
import {
  addonCatalogue,
  metallbPoolName,
  selfSignedIssuerName,
} from '../../src-shared/addons/addon-catalogue.ts'

const run = promisify(execFile)

export const chartsDir = join(import.meta.dirname, '..', 'fixtures', 'charts')

export interface ChartRepository {
  url: string
  /** How many files the repository served, by name. */
  downloads: Map<string, number>
  close(): Promise<void>
}

/** Environment for helm that keeps its cache, config and data inside `dir`. */
export function helmEnv(dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HELM_CACHE_HOME: join(dir, 'cache'),
    HELM_CONFIG_HOME: join(dir, 'config'),
    HELM_DATA_HOME: join(dir, 'data'),
  }
}

export async function serveChartRepository(helm: string, charts: string[]): Promise<ChartRepository> {
  const dir = await mkdtemp(join(tmpdir(), 'clusterdeck-charts-'))
  const downloads = new Map<string, number>()
  const server = createServer((req, res) => {
    // Flat repository: only file names from the index, never a path outside dir.
    const name = basename(decodeURIComponent(new URL(req.url ?? '/', 'http://repo').pathname))
    if (req.method !== 'GET' || !(name === 'index.yaml' || name.endsWith('.tgz'))) {
      res.writeHead(404).end()
      return
    }
    readFile(join(dir, name)).then(
      (body) => {
        downloads.set(name, (downloads.get(name) ?? 0) + 1)
        res
          .writeHead(200, { 'content-type': name.endsWith('.tgz') ? 'application/gzip' : 'text/yaml' })
          .end(body)
      },
      () => res.writeHead(404).end(),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const env = helmEnv(join(dir, '.helm'))
  try {
    for (const chart of charts)
      await run(helm, ['package', join(chartsDir, chart), '--destination', dir], { env })
    await run(helm, ['repo', 'index', dir, '--url', url], { env })
  } catch (error) {
    server.close()
    throw error
  }
  return {
    url,
    downloads,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/**
 * Takes every add-on out of the loopback cluster again: the releases, MetalLB's pool first (the
 * stand-in hands out its addresses until it is gone), the namespaces (waiting until they are
 * gone), cert-manager's issuer.
 */
export async function removeAddons(helm: string, kubeconfigPath: string, helmHome: string): Promise<void> {
  const kubeConfig = new KubeConfig()
  kubeConfig.loadFromFile(kubeconfigPath)
  for (const addon of addonCatalogue) {
    await run(
      helm,
      [
        'uninstall',
        addon.release,
        '--namespace',
        addon.namespace,
        '--ignore-not-found',
        '--kubeconfig',
        kubeconfigPath,
      ],
      { env: helmEnv(helmHome) },
    ).catch(() => undefined)
  }
  const custom = kubeConfig.makeApiClient(CustomObjectsApi)
  await custom
    .deleteNamespacedCustomObject({
      group: 'metallb.io',
      version: 'v1beta1',
      namespace: 'metallb-system',
      plural: 'ipaddresspools',
      name: metallbPoolName,
    })
    .catch(() => undefined)
  const core = kubeConfig.makeApiClient(CoreV1Api)
  for (const addon of addonCatalogue)
    await core.deleteNamespace({ name: addon.namespace }).catch(() => undefined)
  // Gone, not terminating: the next test file installs into the same namespaces.
  const deadline = Date.now() + 90_000
  for (const addon of addonCatalogue) {
    while (Date.now() < deadline) {
      const gone = await core.readNamespace({ name: addon.namespace }).then(
        () => false,
        () => true,
      )
      if (gone) break
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
  await custom
    .deleteClusterCustomObject({
      group: 'cert-manager.io',
      version: 'v1',
      plural: 'clusterissuers',
      name: selfSignedIssuerName,
    })
    .catch(() => undefined)
}
