// The surface every client sees, whichever transport carries it. The preload exposes exactly this
// as `window.clusterdeck`; the WebSocket client implements it too.
import type { Result } from './app-error.ts'
import type { EventName, EventPayload, RequestInput, RequestName, RequestOutput } from './index.ts'

export interface ClusterdeckBridge {
  invoke<N extends RequestName>(name: N, input: RequestInput<N>): Promise<Result<RequestOutput<N>>>
  subscribe<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void
  /** Electron only: the path of a dropped file on this machine (File.path is gone since Electron 32). */
  pathForFile?(file: File): string
}
