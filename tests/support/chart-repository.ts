// A Helm chart repository on loopback: the project's own charts (tests/fixtures/charts), packaged
// with the real `helm package`, indexed with `helm repo index` and served over HTTP from 127.0.0.1,
// so `helm upgrade --install --repo …` resolves and downloads them as it would from a real repository.
// A chart can also be packaged at another version (an older release of it, for the upgrade tests)
// or from another folder (a broken copy).
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { promisify } from 'node:util'

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

/** A chart of tests/fixtures/charts by name, or one packaged at another version or from another folder. */
export type ChartPackage =
  | string
  | {
      name: string
      /** The chart version to stamp (helm package --version); the folder's own when unset. */
      version?: string
      /** The app version to stamp (helm package --app-version): the stand-ins' images carry it. */
      appVersion?: string
      /** The chart's folder; tests/fixtures/charts/<name> when unset. */
      dir?: string
    }

export async function serveChartRepository(helm: string, charts: ChartPackage[]): Promise<ChartRepository> {
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
    for (const chart of charts) {
      const { name, version, appVersion, dir: from } = typeof chart === 'string' ? { name: chart } : chart
      await run(
        helm,
        [
          'package',
          from ?? join(chartsDir, name),
          '--destination',
          dir,
          ...(version ? ['--version', version] : []),
          ...(appVersion ? ['--app-version', appVersion] : []),
        ],
        { env },
      )
    }
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
