// Runs in a child process: every keychain call, one at a time. The keyring library talks to D-Bus
// (or the macOS/Windows store) synchronously and without a time limit; here a hung Secret Service
// stalls only this process, which the app kills, never the event loop that serves the UI and
// handles Ctrl-C. (A worker thread is not enough: Node joins its threads on exit, so a thread stuck
// in D-Bus would keep the app from ever exiting.)
import { Entry, type EntryOptions } from '@napi-rs/keyring'

export type KeyringRequest =
  | { id: number; op: 'get' | 'delete'; service: string; account: string }
  | { id: number; op: 'set'; service: string; account: string; secret: string }

export type KeyringReply =
  { id: number; ok: true; value: string | boolean | null } | { id: number; ok: false; message: string }

// On Linux the store is pinned to the Secret Service: the library otherwise falls back silently to
// the kernel keyring, which forgets everything on reboot.
const options: EntryOptions = process.platform === 'linux' ? { linux: { store: 'secret-service' } } : {}

function run(request: KeyringRequest): string | boolean | null {
  // The constructor already connects to D-Bus and throws without a session bus.
  const entry = new Entry(request.service, request.account, options)
  switch (request.op) {
    case 'get':
      return entry.getPassword() ?? null
    case 'delete':
      return entry.deleteCredential()
    case 'set':
      entry.setPassword(request.secret)
      return null
  }
}

process.on('message', (request: KeyringRequest) => {
  let reply: KeyringReply
  try {
    reply = { id: request.id, ok: true, value: run(request) }
  } catch (error) {
    reply = { id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) }
  }
  process.send!(reply)
})
// The app went away (or closed the store): so does this process.
process.on('disconnect', () => process.exit(0))
