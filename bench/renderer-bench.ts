// npm run bench:renderer — first contentful paint of the renderer in Chromium through the browser
// host (target ≤ 0.5 s), against the first paint of a minimal static page served by the same host
// code in the same run. Each load is a fresh browser context (nothing cached); the three pages
// alternate, and medians are reported. "uncompressed" loads the app with Accept-Encoding: identity,
// to show what compression is worth. Run `npx electron-vite build` first: it measures out/renderer.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { createAppCore } from '../src-main/core/app-core.ts'
import { startWsHost } from '../src-main/transport/ws-host.ts'
import { launchChromium } from '../tests/e2e/support/browser.ts'
import { MemorySecretStore } from '../tests/support/memory-secret-store.ts'
import { makeTempDir } from '../tests/support/temp-dir.ts'
import { median } from './bench-support.ts'

const runs = Number(process.env.BENCH_RUNS ?? 9)
const rendererDir = join(import.meta.dirname, '..', 'out', 'renderer')
if (!existsSync(join(rendererDir, 'index.html')))
  throw new Error('No out/renderer: run `npx electron-vite build` first.')

interface Load {
  fcpMs: number
  /** When the app's own shell (navigation and header) was first rendered by React: app.tsx marks it. */
  shellMs: number | null
  /** Bytes over the wire: the document and every resource, as encoded. */
  transferredBytes: number
}

async function load(
  browser: Browser,
  url: string,
  { headers = {}, waitForShell = true }: { headers?: Record<string, string>; waitForShell?: boolean } = {},
): Promise<Load> {
  const context = await browser.newContext({ extraHTTPHeaders: headers })
  try {
    const page = await context.newPage()
    await page.goto(url)
    // Evaluated through the DevTools protocol: the page's CSP allows no eval of its own.
    return (await page.evaluate(`new Promise((resolve) => {
      const shellMs = () => performance.getEntriesByName('shell-rendered')[0]?.startTime ?? null
      const done = () => {
        const fcp = performance.getEntriesByName('first-contentful-paint')[0]
        if (!fcp || (${String(waitForShell)} && shellMs() === null)) return
        const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
        resolve({
          fcpMs: fcp.startTime,
          shellMs: shellMs(),
          transferredBytes: entries.reduce((sum, entry) => sum + entry.encodedBodySize, 0),
        })
      }
      new PerformanceObserver(done).observe({ entryTypes: ['paint', 'mark'] })
      done()
    })`)) as Load
  } finally {
    await context.close()
  }
}

const dir = makeTempDir('clusterdeck-bench-renderer-')
const referenceDir = join(dir.path, 'reference')
mkdirSync(referenceDir)
writeFileSync(
  join(referenceDir, 'index.html'),
  '<!doctype html><html lang="en"><head><meta charset="UTF-8"><title>Reference</title></head><body><h1>Clusterdeck</h1></body></html>',
)
const core = createAppCore({
  dataDir: join(dir.path, 'data'),
  secrets: new MemorySecretStore(),
  transport: 'websocket',
})
const app = await startWsHost({ core, rendererDir })
const reference = await startWsHost({ core, rendererDir: referenceDir })
const browser = await launchChromium()
try {
  const samples = { app: [] as Load[], uncompressed: [] as Load[], reference: [] as Load[] }
  // One untimed load of each warms the OS file cache and Chromium's own start-up.
  await load(browser, app.url)
  await load(browser, reference.url, { waitForShell: false })
  for (let i = 0; i < runs; i++) {
    // The order turns each run, so that none of the three always follows the same one.
    const measurements = [
      async () => samples.reference.push(await load(browser, reference.url, { waitForShell: false })),
      async () => samples.app.push(await load(browser, app.url)),
      async () =>
        samples.uncompressed.push(
          await load(browser, app.url, { headers: { 'accept-encoding': 'identity' } }),
        ),
    ]
    for (let k = 0; k < measurements.length; k++) await measurements[(i + k) % measurements.length]!()
    console.log(
      `run ${i + 1}: FCP app ${samples.app.at(-1)!.fcpMs.toFixed(0)} ms (shell ${samples.app.at(-1)!.shellMs?.toFixed(0)} ms), ` +
        `uncompressed ${samples.uncompressed.at(-1)!.fcpMs.toFixed(0)} ms, reference ${samples.reference.at(-1)!.fcpMs.toFixed(0)} ms`,
    )
  }
  const fcp = (loads: Load[]) => median(loads.map((entry) => entry.fcpMs))
  const shell = (loads: Load[]) => median(loads.map((entry) => entry.shellMs ?? NaN))
  const kib = (loads: Load[]) => (median(loads.map((entry) => entry.transferredBytes)) / 1024).toFixed(0)
  console.log(
    `\nfirst contentful paint (median of ${runs}): app ${fcp(samples.app).toFixed(0)} ms (${kib(samples.app)} KiB transferred), ` +
      `uncompressed ${fcp(samples.uncompressed).toFixed(0)} ms (${kib(samples.uncompressed)} KiB), ` +
      `reference page ${fcp(samples.reference).toFixed(0)} ms; ratio app/reference ${(fcp(samples.app) / fcp(samples.reference)).toFixed(2)} ` +
      `(target: app ≤ 500 ms)\n` +
      `shell rendered by React (median): app ${shell(samples.app).toFixed(0)} ms, uncompressed ${shell(samples.uncompressed).toFixed(0)} ms`,
  )
} finally {
  await browser.close()
  await app.close()
  await reference.close()
  await core.close()
  dir.remove()
}
