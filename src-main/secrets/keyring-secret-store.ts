// The OS keychain through @napi-rs/keyring: Secret Service on Linux, Keychain on macOS,
// Credential Manager on Windows. The calls run in a child process with a time limit (see
// keyring-worker.ts): the library blocks while it waits for D-Bus, and a Secret Service that never
// answers must not freeze the app, its other requests or Ctrl-C.
import { fork, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { SecretsStatus } from '../../src-shared/contract/system.ts'
import type { KeyringReply, KeyringRequest } from './keyring-worker.ts'
import type { SecretStore } from './secret-store.ts'

const backendNames: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'Secret Service',
  darwin: 'macOS Keychain',
  win32: 'Windows Credential Manager',
}

const unavailableHints: Partial<Record<NodeJS.Platform, string>> = {
  linux:
    'Start and unlock a Secret Service provider (GNOME Keyring, KWallet or KeePassXC with Secret Service enabled).',
  darwin: 'Unlock the login keychain in Keychain Access and allow Clusterdeck to use it.',
  win32: 'Check that the Credential Manager service is running for your user.',
}

// From source the worker is TypeScript run by Node's type stripping; in the Electron bundle it is
// its own entry next to the main bundle (electron.vite.config.ts).
const workerPath = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? './keyring-worker.ts' : './keyring-worker.js', import.meta.url),
)

/** The account the status check writes and deletes again, to learn whether secrets can be kept. */
const probeAccount = 'status-probe'

export interface KeyringSecretStoreOptions {
  service?: string
  platform?: NodeJS.Platform
  /** How long one keychain call may take before it counts as failed. */
  timeoutMs?: number
  /** After a call timed out, how long further calls fail at once instead of waiting again. */
  coolDownMs?: number
  /** The command that (re)starts this program, for the fix the status notice prints. */
  launchCommand?: string
}

type Pending = {
  resolve: (value: string | boolean | null) => void
  reject: (error: Error) => void
  timer: NodeJS.Timeout
}
/** A request as callers make it; the store adds its id and service. */
type Request = KeyringRequest extends infer R
  ? R extends unknown
    ? Omit<R, 'id' | 'service'>
    : never
  : never

export class KeyringSecretStore implements SecretStore {
  private readonly service: string
  private readonly platform: NodeJS.Platform
  private readonly backend: string
  private readonly timeoutMs: number
  private readonly coolDownMs: number
  private readonly launchCommand: string
  private worker: ChildProcess | undefined
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  /** When the keychain last failed to answer in time; calls fail fast until the cool-down ends. */
  private hungAt: number | undefined
  private readonly reads = new Map<string, Promise<string | null>>()
  private probe: Promise<SecretsStatus> | undefined

  constructor(serviceOrOptions: string | KeyringSecretStoreOptions = {}) {
    const options = typeof serviceOrOptions === 'string' ? { service: serviceOrOptions } : serviceOrOptions
    this.service = options.service ?? 'clusterdeck'
    this.platform = options.platform ?? process.platform
    this.backend = backendNames[this.platform] ?? 'OS keychain'
    this.timeoutMs = options.timeoutMs ?? 10_000
    this.coolDownMs = options.coolDownMs ?? 30_000
    this.launchCommand = options.launchCommand ?? 'npm start'
  }

  /**
   * Whether secrets can be kept: a write and a delete of a probe entry (a Secret Service without a
   * default keyring reads fine but cannot store). A success is remembered; a failure is asked
   * again next time, so fixing the keychain needs no restart.
   */
  status(): Promise<SecretsStatus> {
    this.probe ??= this.request({ op: 'set', account: probeAccount, secret: 'probe' })
      .then(() => this.request({ op: 'delete', account: probeAccount }))
      .then(
        (): SecretsStatus => ({ backend: this.backend, available: true }),
        (error: unknown): SecretsStatus => {
          this.probe = undefined
          return this.unavailable(reason(error))
        },
      )
    return this.probe
  }

  get(account: string): Promise<string | null> {
    // Concurrent reads of one account share one keychain call.
    let read = this.reads.get(account)
    if (!read) {
      read = this.call('read a password from', { op: 'get', account }).then((value) =>
        typeof value === 'string' ? value : null,
      )
      const settle = () => this.reads.delete(account)
      read.then(settle, settle)
      this.reads.set(account, read)
    }
    return read
  }

  async set(account: string, secret: string): Promise<void> {
    await this.call('save a password to', { op: 'set', account, secret })
  }

  async delete(account: string): Promise<boolean> {
    return (await this.call('delete a password from', { op: 'delete', account })) === true
  }

  /** Stops the worker process; a later call starts a new one. */
  close(): void {
    const worker = this.worker
    this.worker = undefined
    this.failPending(new Error('the keychain worker was stopped'))
    worker?.kill('SIGKILL')
  }

  private async call(action: string, request: Request): Promise<string | boolean | null> {
    try {
      return await this.request(request)
    } catch (error) {
      // The next status() asks again: the failure may be new (a keyring locked since).
      this.probe = undefined
      const status = this.unavailable(reason(error))
      throw new AppError(
        'secrets_unavailable',
        `Could not ${action} the ${this.backend}: ${reason(error)}`,
        status.fix ? `${status.notice} Fix: ${status.fix}` : unavailableHints[this.platform],
      )
    }
  }

  private request(request: Request): Promise<string | boolean | null> {
    if (this.hungAt !== undefined && Date.now() - this.hungAt < this.coolDownMs) {
      return Promise.reject(new Error(this.timeoutMessage()))
    }
    this.hungAt = undefined
    const worker = this.ensureWorker()
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.timedOut(), this.timeoutMs)
      this.pending.set(id, { resolve, reject, timer })
      hold(worker, true)
      worker.send({ ...request, id, service: this.service } as KeyringRequest)
    })
  }

  private ensureWorker(): ChildProcess {
    if (this.worker) return this.worker
    // Electron runs the worker as plain Node; its own flags (a debugger, say) are not passed on.
    const worker = fork(workerPath, [], {
      execArgv: [],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    })
    worker.on('message', (reply: KeyringReply) => {
      const pending = this.pending.get(reply.id)
      if (!pending) return
      this.settle(reply.id)
      if (reply.ok) pending.resolve(reply.value)
      else pending.reject(new Error(reply.message))
    })
    // Only the current worker's death fails the calls in flight: a worker given up on after a
    // time-out may exit much later, when newer calls run on its successor.
    worker.on('error', (error) => {
      if (this.worker !== worker) return
      this.worker = undefined
      this.failPending(error)
    })
    worker.on('exit', () => {
      if (this.worker !== worker) return
      this.worker = undefined
      this.failPending(new Error('the keychain worker stopped'))
    })
    hold(worker, false)
    this.worker = worker
    return worker
  }

  private settle(id: number): void {
    clearTimeout(this.pending.get(id)?.timer)
    this.pending.delete(id)
    if (this.pending.size === 0 && this.worker) hold(this.worker, false)
  }

  /** The keychain did not answer: give up on this worker (it may be stuck in D-Bus for good) and kill it. */
  private timedOut(): void {
    this.hungAt = Date.now()
    const worker = this.worker
    this.worker = undefined
    this.failPending(new Error(this.timeoutMessage()))
    worker?.kill('SIGKILL')
  }

  private failPending(error: Error): void {
    for (const [id, pending] of this.pending) {
      this.settle(id)
      pending.reject(error)
    }
  }

  private timeoutMessage(): string {
    return `the ${this.backend} did not answer within ${this.timeoutMs / 1000} s`
  }

  private unavailable(problem: string): SecretsStatus {
    const consequence =
      'Board passwords cannot be saved or read until then; everything else works, the virtual board included.'
    if (this.platform !== 'linux') {
      return {
        backend: this.backend,
        available: false,
        notice:
          `No usable keychain: the ${this.backend} could not be used (${problem}). ${consequence} ${unavailableHints[this.platform] ?? ''}`.trim(),
      }
    }
    const fix = this.linuxFix(problem)
    return {
      backend: this.backend,
      available: false,
      notice: `No usable keychain: ${fix.why} ${consequence} (${problem}.) ${fix.action}`,
      fix: fix.command,
    }
  }

  /** What is missing on Linux, and the command that provides it. */
  private linuxFix(problem: string): { why: string; action: string; command: string } {
    const install = ['dbus-run-session', 'gnome-keyring-daemon'].every(onPath)
      ? ''
      : 'sudo apt-get install dbus gnome-keyring && '
    const unlock =
      'read -rsp "Keyring password: " pw; echo; printf %s "$pw" | gnome-keyring-daemon --replace --unlock --components=secrets >/dev/null'
    const inNewSession = `${install}dbus-run-session -- bash -c '${unlock}; ${this.launchCommand}'`
    if (/no result found|no such object|collection/i.test(problem)) {
      return {
        why: 'a Secret Service answers, but it has no unlocked default ("login") keyring to keep passwords in.',
        action: 'Create or unlock it with:',
        command: `${install}bash -c '${unlock}'`,
      }
    }
    if (problem.includes('did not answer')) {
      return {
        why: 'the Secret Service does not answer (a stuck keyring daemon or D-Bus).',
        action: 'Restart it, or run Clusterdeck in a session of its own with an unlocked GNOME Keyring:',
        command: inNewSession,
      }
    }
    return {
      why: 'there is no D-Bus session with a Secret Service (as over SSH, headless, or on a minimal desktop).',
      action: 'Run Clusterdeck inside one with an unlocked GNOME Keyring:',
      command: inNewSession,
    }
  }
}

/** An idle worker must not keep this process alive; one with calls in flight must. */
function hold(worker: ChildProcess, alive: boolean): void {
  const channel = worker.channel as { ref(): void; unref(): void } | undefined
  if (alive) {
    worker.ref()
    channel?.ref()
  } else {
    worker.unref()
    channel?.unref()
  }
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)))
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
