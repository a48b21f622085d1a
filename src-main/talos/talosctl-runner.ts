// The one way the core runs talosctl. Every call works in a private folder (0700) deleted
// afterwards (or, when the process was killed first, by the next process that runs talosctl): the client config (talosconfig) and any file a command reads (a machine config) are
// written there, never passed in arguments or left behind; without credentials the call gets an
// empty talosconfig path, so the user's ~/.talos/config is never read. talosctl's words go to the
// step log (redacted by the engine); what it prints on stdout comes back to the caller.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseAllDocuments } from 'yaml'
import { processExists } from '../core/process-alive.ts'
import { runProcess } from '../tools/process-runner.ts'

export interface TalosctlContext {
  /** The talosctl binary the tools manager resolved for the profile's Talos version. */
  talosctl: string
  signal?: AbortSignal
  /** A line for the step log (already redacted by the runner). */
  log?(line: string): void
}

/** An argument, or the contents of a file the command reads (written to the private folder). */
export type TalosctlArg = string | { file: string }

export interface TalosctlCall {
  args: readonly TalosctlArg[]
  /** Client credentials (mutual TLS); absent for `--insecure` calls to a node in maintenance mode. */
  talosconfig?: string
  timeoutMs?: number
  /** Keeps stdout out of the step log (a kubeconfig). */
  quietStdout?: boolean
}

/** Runs one talosctl command and returns its stdout; failures are `tool_failed` AppErrors. */
export type Talosctl = (call: TalosctlCall) => Promise<string>

const defaultTimeoutMs = 120_000
const stdoutLimitBytes = 4 * 1024 * 1024

const folderPrefix = 'clusterdeck-talos-'
let swept: Promise<void> | undefined

/**
 * Removes the private folders of processes that died before removing them (killed mid-command):
 * they may hold a talosconfig or a secrets bundle. Each folder's name carries its process id.
 */
async function sweepAbandonedFolders(): Promise<void> {
  const names = await readdir(tmpdir()).catch(() => [] as string[])
  await Promise.all(
    names.map(async (name) => {
      const pid = Number(/^clusterdeck-talos-(\d+)-/.exec(name)?.[1])
      if (pid && pid !== process.pid && !processExists(pid))
        await rm(join(tmpdir(), name), { recursive: true, force: true }).catch(() => undefined)
    }),
  )
}

export async function inPrivateFolder<T>(work: (dir: string) => Promise<T>): Promise<T> {
  swept ??= sweepAbandonedFolders()
  await swept
  // mkdtemp makes the folder 0700: only this user can read what talosctl is given.
  const dir = await mkdtemp(join(tmpdir(), `${folderPrefix}${process.pid}-`))
  try {
    return await work(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Runs talosctl with plain arguments (paths the caller made); logs the command and its output. */
export async function runTalosctl(
  context: TalosctlContext,
  args: readonly string[],
  options: { timeoutMs?: number; quietStdout?: boolean } = {},
): Promise<string> {
  context.log?.(`talosctl ${args.join(' ')}`)
  const log = context.log
  const result = await runProcess({
    command: context.talosctl,
    args,
    timeoutMs: options.timeoutMs ?? defaultTimeoutMs,
    captureStdoutBytes: stdoutLimitBytes,
    ...(context.signal ? { signal: context.signal } : {}),
    ...(log
      ? { onLine: (line, stream) => (stream === 'stdout' && options.quietStdout ? undefined : log(line)) }
      : {}),
  })
  return result.stdout
}

export function talosctlRunner(context: TalosctlContext): Talosctl {
  return (call) =>
    inPrivateFolder(async (dir) => {
      const talosconfigPath = join(dir, 'talosconfig')
      if (call.talosconfig !== undefined) await writeFile(talosconfigPath, call.talosconfig, { mode: 0o600 })
      const args: string[] = ['--talosconfig', talosconfigPath]
      let files = 0
      for (const arg of call.args) {
        if (typeof arg === 'string') {
          args.push(arg)
          continue
        }
        const path = join(dir, `input-${++files}.yaml`)
        await writeFile(path, arg.file, { mode: 0o600 })
        args.push(path)
      }
      return runTalosctl(context, args, {
        ...(call.timeoutMs ? { timeoutMs: call.timeoutMs } : {}),
        ...(call.quietStdout ? { quietStdout: true } : {}),
      })
    })
}

/** Keys whose values are credentials in a secrets bundle, machine config, talosconfig or kubeconfig. */
const secretKey = /key|crt|token|secret|password|^id$|^ca$|-data$/i
const minSecretLength = 8

/**
 * Registers every credential inside a YAML document (each key, certificate and token on its own),
 * so that a log line quoting one of them, not the whole file, is redacted too.
 */
export function registerYamlSecrets(text: string, secret: (value: string) => void): void {
  const visit = (value: unknown, key: string) => {
    if (typeof value === 'string') {
      if (secretKey.test(key) && value.length >= minSecretLength) secret(value)
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, key)
    } else if (value && typeof value === 'object') {
      for (const [name, inner] of Object.entries(value)) visit(inner, name)
    }
  }
  for (const document of parseAllDocuments(text)) visit(document.toJS(), '')
}
