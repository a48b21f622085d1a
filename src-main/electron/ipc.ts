// Carries the contract over Electron IPC. Every call is checked to come from the main frame of one
// of our windows showing app:// content before the dispatcher validates its input.
import { BrowserWindow, ipcMain, type IpcMainInvokeEvent } from 'electron'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { AppCore } from '../core/app-core.ts'
import { eventChannel, invokeChannel, isAppUrl } from './ipc-channels.ts'

export function serveContractOverIpc(core: AppCore): () => void {
  ipcMain.handle(invokeChannel, async (event: IpcMainInvokeEvent, name: unknown, input: unknown) => {
    if (!isTrustedSender(event)) {
      return {
        ok: false,
        error: new AppError('transport', 'Request refused: it did not come from the app window.').toData(),
      }
    }
    return core.dispatch(typeof name === 'string' ? name : '', input)
  })
  const stopForwarding = core.events.onAny((name, payload) => {
    for (const window of BrowserWindow.getAllWindows()) window.webContents.send(eventChannel, name, payload)
  })
  return () => {
    ipcMain.removeHandler(invokeChannel)
    stopForwarding()
  }
}

function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame
  const window = BrowserWindow.fromWebContents(event.sender)
  return frame !== null && window !== null && frame === event.sender.mainFrame && isAppUrl(frame.url)
}
