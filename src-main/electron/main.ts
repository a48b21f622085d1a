// The Electron shell: the app's lifecycle, one window, the app:// protocol and IPC. Everything
// else is the same core the CLI and the WebSocket host run.
import { app, BrowserWindow } from 'electron'
import { join } from 'node:path'
import { createAppCore, type AppCore } from '../core/app-core.ts'
import { startVirtualBoardOnLaunch } from '../core/first-run.ts'
import { KeyringSecretStore } from '../secrets/keyring-secret-store.ts'
import type { SecretStore } from '../secrets/secret-store.ts'
import { resolveDataDir } from '../store/data-dir.ts'
import { registerAppScheme, serveRenderer } from './app-protocol.ts'
import { serveContractOverIpc } from './ipc.ts'
import { createMainWindow } from './main-window.ts'
import { SafeStorageSecretStore, safeStorageIsUsable } from './safe-storage-secret-store.ts'
import { applySecurityPolicy } from './security.ts'

const here = import.meta.dirname
const dataDir = resolveDataDir()
// Static assets (the virtual board's boot logs): extraResources when packaged, resources/ in a checkout.
process.env.CLUSTERDECK_RESOURCES = app.isPackaged
  ? process.resourcesPath
  : join(app.getAppPath(), 'resources')
// The app and the CLI share one data directory; on Linux that is the XDG data folder rather than
// Electron's default ~/.config, which is for settings.
app.setPath('userData', dataDir)
registerAppScheme()

let core: AppCore | undefined

async function chooseSecretStore(): Promise<SecretStore> {
  const keyring = new KeyringSecretStore()
  const status = await keyring.status()
  if (status.notice) console.warn(`Keychain: ${status.notice}${status.fix ? `\n\n  ${status.fix}\n` : ''}`)
  if (status.available || !(await safeStorageIsUsable())) return keyring
  return new SafeStorageSecretStore(dataDir, status.notice ?? 'no Secret Service')
}

async function start(): Promise<void> {
  await app.whenReady()
  applySecurityPolicy()
  serveRenderer(join(here, '../renderer'))
  core = createAppCore({ dataDir, secrets: await chooseSecretStore(), transport: 'electron' })
  serveContractOverIpc(core)
  const virtualProblem = await startVirtualBoardOnLaunch(core)
  if (virtualProblem)
    console.warn(`Virtual board: could not start (${virtualProblem}); start it on the boards page.`)
  const preload = join(here, '../preload/index.cjs')
  createMainWindow(preload)
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createMainWindow(preload)
  })
}

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus())
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  app.on('will-quit', () => void core?.close())
  void start()
}
