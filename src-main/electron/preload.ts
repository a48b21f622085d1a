// The sandboxed preload: exposes exactly the contract bridge (invoke, subscribe) and the dropped
// file's path, never ipcRenderer itself.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import type { ClusterdeckBridge } from '../../src-shared/contract/api.ts'
import { eventChannel, invokeChannel } from './ipc-channels.ts'

type Listener = (payload: unknown) => void
const listeners = new Map<string, Set<Listener>>()

ipcRenderer.on(eventChannel, (_event: IpcRendererEvent, name: string, payload: unknown) => {
  for (const listener of listeners.get(name) ?? []) listener(payload)
})

const bridge: Required<ClusterdeckBridge> = {
  invoke: (name, input) => ipcRenderer.invoke(invokeChannel, name, input),
  subscribe(name, listener) {
    const set = listeners.get(name) ?? new Set<Listener>()
    listeners.set(name, set)
    set.add(listener as Listener)
    return () => set.delete(listener as Listener)
  },
  // File.path is gone since Electron 32; only the preload can map a dropped File to its path.
  pathForFile: (file) => webUtils.getPathForFile(file),
}

contextBridge.exposeInMainWorld('clusterdeck', bridge)
