// The one way the core runs an external command (talosctl, helm, …): an argument array and never a
// shell, a minimal environment, output streamed line by line with secrets redacted, cancel as
// SIGTERM then SIGKILL after a grace period, and a typed `tool_failed` error that names the command
// and carries the tail of its stderr instead of a stack.
import { spawn } from 'node:child_process'
import { basename } from 'node:path'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { redact } from '../lifecycle/redact.ts'

export interface RunOptions {
  /** Absolute path of the binary (resolved by the tools manager, never looked up through a shell). */
  command: string
  args: readonly string[]
  /** Added to the minimal environment (PATH, HOME, LANG, TMPDIR); nothing else is inherited. */
  env?: Record<string, string>
  cwd?: string
  /** Written to the process's stdin, then stdin is closed (secrets go here, never into args). */
  stdin?: string | Buffer
  signal?: AbortSignal
  /** Kills the process after this long; the error says it timed out. */
  timeoutMs?: number
  /** Between SIGTERM and SIGKILL on cancel or timeout. */
  graceMs?: number
  /** Every line of stdout and stderr, redacted, as it comes. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void
  /** Values that must never appear in lines or errors. */
  secrets?: Iterable<string>
  /** Keep stdout (up to this many bytes) for the caller, e.g. JSON or a kubeconfig. */
  captureStdoutBytes?: number
  /** Exit codes that count as success (default: 0 only). */
  okExitCodes?: readonly number[]
}

export interface RunResult {
  exitCode: number
  /** Raw stdout when `captureStdoutBytes` was given (not redacted: it may be a credential). */
  stdout: string
  /** The last lines of stderr, redacted. */
  stderrTail: string
}

const stderrTailBytes = 4096
const defaultGraceMs = 5000

/** The environment a tool sees: enough to run, nothing of the user's secrets. */
export function minimalEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const key of ['PATH', 'HOME', 'LANG', 'TMPDIR', 'SYSTEMROOT', 'USERPROFILE', 'APPDATA']) {
    const value = process.env[key]
    if (value !== undefined) env[key] = value
  }
  return { ...env, ...extra }
}

export function runProcess(options: RunOptions): Promise<RunResult> {
  const name = basename(options.command)
  const secrets = [...(options.secrets ?? [])]
  const clean = (text: string) => redact(text, secrets)
  // Errors name the tool and its subcommand; arguments should never hold secrets, but are redacted anyway.
  const described = clean([name, ...options.args.slice(0, 2)].join(' '))

  return new Promise<RunResult>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new AppError('cancelled', `${described} was not started: cancelled`))
      return
    }
    const child = spawn(options.command, [...options.args], {
      env: minimalEnv(options.env),
      ...(options.cwd ? { cwd: options.cwd } : {}),
      stdio: ['pipe', 'pipe', 'pipe'],
      shell: false,
      windowsHide: true,
    })

    let stdout = ''
    let stdoutBytes = 0
    let stderrTail = ''
    let stopping: 'cancelled' | 'timeout' | null = null
    let killTimer: NodeJS.Timeout | undefined

    const stop = (why: 'cancelled' | 'timeout') => {
      if (stopping || child.exitCode !== null) return
      stopping = why
      child.kill('SIGTERM')
      killTimer = setTimeout(() => child.kill('SIGKILL'), options.graceMs ?? defaultGraceMs)
      killTimer.unref()
    }
    const onAbort = () => stop('cancelled')
    options.signal?.addEventListener('abort', onAbort, { once: true })
    const timeout = options.timeoutMs ? setTimeout(() => stop('timeout'), options.timeoutMs) : undefined

    const splitter = (stream: 'stdout' | 'stderr') => {
      let pending = ''
      return {
        push(chunk: string) {
          pending += chunk
          const lines = pending.split(/\r?\n/)
          pending = lines.pop() ?? ''
          for (const line of lines) options.onLine?.(clean(line), stream)
        },
        flush() {
          if (pending !== '') options.onLine?.(clean(pending), stream)
          pending = ''
        },
      }
    }
    const outLines = splitter('stdout')
    const errLines = splitter('stderr')

    child.stdout.setEncoding('utf8')
    child.stderr.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      if (options.captureStdoutBytes !== undefined && stdoutBytes < options.captureStdoutBytes) {
        stdout += chunk
        stdoutBytes += Buffer.byteLength(chunk)
      }
      outLines.push(chunk)
    })
    child.stderr.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-stderrTailBytes)
      errLines.push(chunk)
    })
    // A tool that exits without reading its stdin must not crash us with EPIPE.
    child.stdin.on('error', () => undefined)
    if (options.stdin !== undefined) child.stdin.end(options.stdin)
    else child.stdin.end()

    const finish = () => {
      clearTimeout(timeout)
      clearTimeout(killTimer)
      options.signal?.removeEventListener('abort', onAbort)
    }

    child.on('error', (error: NodeJS.ErrnoException) => {
      finish()
      reject(
        error.code === 'ENOENT' || error.code === 'EACCES'
          ? new AppError(
              'tool_missing',
              `${name} could not be started (${error.code === 'ENOENT' ? 'not found' : 'not executable'}): ${options.command}`,
              'Install it under Settings → Tools, or with: clusterdeck tools install ' + name,
            )
          : new AppError('tool_failed', `${described} could not be started: ${clean(error.message)}`),
      )
    })

    child.on('close', (code, signal) => {
      finish()
      outLines.flush()
      errLines.flush()
      const tail = clean(stderrTail).trim().split('\n').slice(-12).join('\n')
      if (stopping === 'cancelled') {
        reject(new AppError('cancelled', `${described} was stopped: cancelled`))
        return
      }
      if (stopping === 'timeout') {
        reject(
          new AppError(
            'timeout',
            `${described} did not finish within ${Math.round((options.timeoutMs ?? 0) / 1000)} s and was stopped`,
            tail ? `Its last output: ${tail}` : undefined,
          ),
        )
        return
      }
      const exitCode = code ?? -1
      if (!(options.okExitCodes ?? [0]).includes(exitCode)) {
        reject(
          new AppError(
            'tool_failed',
            `${described} failed (${signal ? `killed by ${signal}` : `exit code ${exitCode}`})` +
              (tail ? `: ${tail}` : ''),
            'The step log has its whole output.',
            { command: described, exitCode: String(exitCode) },
          ),
        )
        return
      }
      resolve({ exitCode, stdout, stderrTail: tail })
    })
  })
}
