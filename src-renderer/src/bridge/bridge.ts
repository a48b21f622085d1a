// The renderer's one way to reach the core: the preload's bridge inside Electron, the WebSocket
// bridge in a browser. Components call `call()`, which throws the typed AppError on failure.
import type { ClusterdeckBridge } from '../../../src-shared/contract/api.ts'
import { AppError } from '../../../src-shared/contract/app-error.ts'
import type { RequestInput, RequestName, RequestOutput } from '../../../src-shared/contract/index.ts'
import { inWords } from '../common/error-words.ts'
import { createWebSocketBridge } from './websocket-bridge.ts'

declare global {
  interface Window {
    clusterdeck?: ClusterdeckBridge
  }
}

export const bridge: ClusterdeckBridge = window.clusterdeck ?? createWebSocketBridge()

/** The path of a dropped or picked file on the core's machine, or null where there is none (a browser). */
export function pathForFile(file: File): string | null {
  return window.clusterdeck?.pathForFile?.(file) || null
}

export async function call<N extends RequestName>(
  name: N,
  input: RequestInput<N>,
): Promise<RequestOutput<N>> {
  const result = await bridge.invoke(name, input)
  if (!result.ok) throw AppError.fromData(result.error)
  return result.value
}

/**
 * An error as the UI shows it: the message, and what to do about it, with system error codes said
 * in words; the code lets a page tell one failure from another.
 */
export function errorText(error: unknown): { message: string; hint?: string; code?: string } {
  if (error instanceof AppError)
    return {
      message: inWords(error.message),
      ...(error.hint ? { hint: inWords(error.hint) } : {}),
      code: error.code,
    }
  return { message: inWords(error instanceof Error ? error.message : String(error)) }
}
