// The Electron shell itself: preload, app:// protocol, IPC and the window's lock-down. Electron
// downloads its binary on first launch, which fails on machines without internet, so this runs
// only where a binary is present (ELECTRON_OVERRIDE_DIST_PATH, or node_modules/electron/dist) and
// a display exists (use xvfb-run on a headless Linux), and is reported as skipped elsewhere.
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { _electron, type ElectronApplication, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..', '..')
const binaryInDist: Partial<Record<NodeJS.Platform, string>> = {
  darwin: 'Electron.app/Contents/MacOS/Electron',
  win32: 'electron.exe',
}

function findElectron(): string | undefined {
  const name = binaryInDist[process.platform] ?? 'electron'
  const dists = [process.env.ELECTRON_OVERRIDE_DIST_PATH, join(root, 'node_modules', 'electron', 'dist')]
  return dists.map((dist) => dist && join(dist, name)).find((path) => path !== undefined && existsSync(path))
}

function skipReason(binary: string | undefined): string | undefined {
  if (!binary) {
    return 'no Electron binary: set ELECTRON_OVERRIDE_DIST_PATH or let electron download its dist'
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'no display: run the tests under xvfb-run'
  }
  return undefined
}

const electronBinary = findElectron()
const skip = skipReason(electronBinary)

interface RendererGlobals {
  clusterdeck?: Record<string, unknown> & { invoke(name: string, input: unknown): Promise<unknown> }
  require?: unknown
  process?: unknown
  location: { href: string }
  open(url: string): unknown
}

describe.skipIf(skip !== undefined)(`Electron smoke test${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let app: ElectronApplication
  let window: Page
  let dataDir: string
  // A loopback page the window must not reach: if navigation were allowed, it would be asked.
  let elsewhere: Server
  let elsewhereRequests = 0

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'clusterdeck-electron-'))
    elsewhere = createServer((_req, res) => {
      elsewhereRequests++
      res.end('not the app')
    })
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve))
    app = await _electron.launch({
      executablePath: electronBinary,
      args: [join(root, 'out', 'main', 'index.js')],
      env: { ...process.env, CLUSTERDECK_HOME: dataDir },
      timeout: 60_000,
    })
    window = await app.firstWindow()
    await window.waitForLoadState('domcontentloaded')
  })

  afterAll(async () => {
    if (app) {
      const exited = app.close().then(() => true)
      const timedOut = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000))
      if (!(await Promise.race([exited, timedOut]))) app.process().kill('SIGKILL')
    }
    await new Promise<void>((resolve) => (elsewhere ? elsewhere.close(() => resolve()) : resolve()))
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it('opens one window on app://clusterdeck/ showing the boards page', async () => {
    expect(window.url()).toMatch(/^app:\/\/clusterdeck\//)
    expect(app.windows()).toHaveLength(1)
    await window.getByTestId('boards-empty').waitFor({ timeout: 15_000 })
  })

  it('exposes only the contract bridge to the renderer, without ipcRenderer, require or process', async () => {
    const exposed = await window.evaluate(() => {
      const page = globalThis as unknown as RendererGlobals
      return {
        bridge: page.clusterdeck ? Object.keys(page.clusterdeck).sort() : null,
        types: page.clusterdeck ? [typeof page.clusterdeck.invoke, typeof page.clusterdeck.subscribe] : null,
        require: typeof page.require,
        process: typeof page.process,
      }
    })
    // pathForFile maps a dropped File to its path (File.path is gone since Electron 32).
    expect(exposed).toEqual({
      bridge: ['invoke', 'pathForFile', 'subscribe'],
      types: ['function', 'function'],
      require: 'undefined',
      process: 'undefined',
    })
  })

  it('answers boards.list over IPC', async () => {
    const result = await window.evaluate(() =>
      (globalThis as unknown as RendererGlobals).clusterdeck?.invoke('boards.list', {}),
    )
    expect(result).toEqual({ ok: true, value: [] })
  })

  it('blocks navigation to another origin and new windows', async () => {
    const target = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/`
    await window.evaluate((url) => {
      const page = globalThis as unknown as RendererGlobals
      page.open(url)
      page.location.href = url
    }, target)
    // Give a navigation that was not blocked time to reach the server.
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    expect(window.url()).toMatch(/^app:\/\/clusterdeck\//)
    expect(app.windows()).toHaveLength(1)
    expect(elsewhereRequests).toBe(0)
  })
})
