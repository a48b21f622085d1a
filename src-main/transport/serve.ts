// `npm run serve`: the core plus the built renderer on a loopback WebSocket host, for a normal
// browser. Prints the address to open; stops on Ctrl-C.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { createAppCore, type AppCore } from '../core/app-core.ts'
import { startVirtualBoardOnLaunch } from '../core/first-run.ts'
import { KeyringSecretStore } from '../secrets/keyring-secret-store.ts'
import { resolveDataDir } from '../store/data-dir.ts'
import { startWsHost } from './ws-host.ts'

const rendererDir = fileURLToPath(new URL('../../out/renderer', import.meta.url))
if (!existsSync(`${rendererDir}/index.html`)) {
  console.error(`clusterdeck: the renderer is not built (${rendererDir} is missing). Run: npm run build`)
  process.exit(1)
}

const secrets = new KeyringSecretStore({
  launchCommand: process.argv.includes('--open') ? 'npm start' : 'npm run serve',
})
const core = openCore()

function openCore(): AppCore {
  try {
    return createAppCore({ dataDir: resolveDataDir(), secrets, transport: 'websocket' })
  } catch (error) {
    if (!(error instanceof AppError)) throw error
    console.error(`clusterdeck: ${error.message}${error.hint ? `\n  hint: ${error.hint}` : ''}`)
    process.exit(error.code === 'invalid_input' ? 2 : 1)
  }
}
const port = process.env.CLUSTERDECK_PORT ? Number(process.env.CLUSTERDECK_PORT) : 0
const host = await startWsHost({ core, rendererDir, port })

// Stopping closes every client and cancels running flashes and deploys. It is bounded: if that
// hangs, the process ends anyway, and a second Ctrl-C ends it at once.
const stopTimeoutMs = 5_000
let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(130)
    stopping = true
    setTimeout(() => {
      console.error(`clusterdeck: stopping took longer than ${stopTimeoutMs / 1000} s; exiting now.`)
      process.exit(1)
    }, stopTimeoutMs).unref()
    void host
      .close()
      .then(() => core.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(
            `clusterdeck: stopping failed: ${error instanceof Error ? error.message : String(error)}`,
          )
          process.exit(1)
        },
      )
  })
}
console.log(`Clusterdeck is serving on loopback. Open this address in a browser:\n\n  ${host.url}\n`)
console.log(`Data directory: ${core.dataDir}`)
console.log('Press Ctrl-C to stop.')
if (core.dataDirNotice) console.log(`Warning: ${core.dataDirNotice}`)
// The keychain check and the virtual board run side by side after the address is out: a keychain
// that hangs or is missing must not keep the app from opening.
void secrets.status().then((status) => {
  if (status.notice) console.log(`Keychain: ${status.notice}`)
  if (status.fix) console.log(`\n  ${status.fix}\n`)
})
const virtualProblem = await startVirtualBoardOnLaunch(core)
const virtual = await core.virtualBoard.status()
if (virtualProblem)
  console.log(`Virtual board: could not start (${virtualProblem}); start it on the boards page.`)
else if (virtual.running) console.log(`Virtual board: running at ${virtual.url}`)
if (process.argv.includes('--open')) openInBrowser(host.url)

function openInBrowser(url: string): void {
  const opener =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open'
  spawn(opener, [url], { detached: true, stdio: 'ignore' })
    .on('error', () => undefined)
    .unref()
}
