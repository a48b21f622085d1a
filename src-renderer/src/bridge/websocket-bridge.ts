// The bridge when the renderer runs in a normal browser against the loopback WebSocket host. The
// host's token arrives in the URL fragment; it is moved to sessionStorage and removed from the
// address bar so it survives reloads without staying on screen. The fragment also holds the page's
// route (#/clusters, see shell/route.ts); only the token leaves it, so #/clusters&token=… opens the
// clusters page. This runs when the bridge module loads, before the shell reads the route.
import type { ClusterdeckBridge } from '../../../src-shared/contract/api.ts'
import type { AppErrorData, Result } from '../../../src-shared/contract/app-error.ts'
import {
  wsCloseCodes,
  wsPath,
  type ClientMessage,
  type ServerMessage,
} from '../../../src-shared/contract/ws-protocol.ts'

const tokenKey = 'clusterdeck.token'
const retryDelaysMs = [250, 500, 1000, 2000, 5000]

function takeToken(): string | null {
  const { hash, pathname, search } = window.location
  const match = /(?:^#|&)token=([^&]+)/.exec(hash)
  if (match?.[1]) {
    sessionStorage.setItem(tokenKey, decodeURIComponent(match[1]))
    const route = hash.replace(match[0], '').replace(/^#?&?/, '')
    history.replaceState(null, '', pathname + search + (route ? `#${route}` : ''))
  }
  return sessionStorage.getItem(tokenKey)
}

/** The host's access token, for the one request that is not a WebSocket message: the image upload. */
export function hostToken(): string | null {
  return sessionStorage.getItem(tokenKey)
}

const lostConnection: AppErrorData = {
  code: 'transport',
  message: 'The connection to the Clusterdeck core was lost before it answered.',
  hint: 'Check that `npm run serve` is still running, then try again.',
}

const noToken: AppErrorData = {
  code: 'transport',
  message: 'This page was opened without the access token of the Clusterdeck host.',
  hint: 'Open the full address that `npm run serve` printed, including the part after #.',
}

// A host started again has a new token, so a tab kept open from before holds a stale one.
const tokenRefused: AppErrorData = {
  code: 'transport',
  message: 'The Clusterdeck host refused the access token of this page.',
  hint: 'Open the address that `npm run serve` printed most recently, including the part after #.',
}

export function createWebSocketBridge(): ClusterdeckBridge {
  const token = takeToken()
  const pending = new Map<number, (result: Result<unknown>) => void>()
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const queue: ClientMessage[] = []
  let nextId = 1
  let socket: WebSocket | undefined
  let ready = false
  let attempt = 0
  // Set when retrying cannot help; every request then fails with it at once.
  let fatal: AppErrorData | undefined = token ? undefined : noToken
  // Why the host is about to close this connection, when it said so.
  let refusal: AppErrorData | undefined

  function connect(): void {
    socket = new WebSocket(`ws://${window.location.host}${wsPath}`)
    socket.addEventListener('open', () => socket?.send(JSON.stringify({ kind: 'hello', token: token ?? '' })))
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as ServerMessage
      if (message.kind === 'ready') {
        ready = true
        attempt = 0
        for (const queued of queue.splice(0)) socket?.send(JSON.stringify(queued))
      } else if (message.kind === 'result') {
        pending.get(message.id)?.(message.result as Result<unknown>)
        pending.delete(message.id)
      } else if (message.kind === 'error') {
        // Not tied to a request: the host is full (it closes next) or refused a malformed message.
        if (message.error.code === 'busy') refusal = message.error
      } else {
        for (const listener of listeners.get(message.name) ?? []) listener(message.payload)
      }
    })
    socket.addEventListener('close', (event) => {
      ready = false
      if (event.code === wsCloseCodes.unauthorized) fatal = tokenRefused
      // Requests already reported as failed must not run later, after a reconnect.
      queue.length = 0
      for (const [id, resolve] of pending) {
        resolve({ ok: false, error: fatal ?? refusal ?? lostConnection })
        pending.delete(id)
      }
      refusal = undefined
      if (fatal) return
      const delay = retryDelaysMs[Math.min(attempt++, retryDelaysMs.length - 1)]
      setTimeout(connect, delay)
    })
  }
  if (!fatal) connect()

  return {
    invoke(name, input) {
      if (fatal) return Promise.resolve({ ok: false, error: fatal })
      const message: ClientMessage = { kind: 'invoke', id: nextId++, name, input }
      return new Promise((resolve) => {
        pending.set(message.id as number, resolve as (result: Result<unknown>) => void)
        if (ready) socket?.send(JSON.stringify(message))
        else queue.push(message)
      })
    },
    subscribe(name, listener) {
      const set = listeners.get(name) ?? new Set()
      listeners.set(name, set)
      set.add(listener as (payload: unknown) => void)
      return () => set.delete(listener as (payload: unknown) => void)
    },
  }
}
