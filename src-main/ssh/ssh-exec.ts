// One command on an open connection: output collected, the exit status returned (not thrown),
// sudo's password fed on stdin only when sudo asks, the command's own stdin after it, a deadline
// and cancellation that stop the remote process, and every command with its exit status logged
// with secrets redacted.
import { randomBytes } from 'node:crypto'
import type { Client as SshClient, ClientChannel } from 'ssh2'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { shellQuote } from '../../src-shared/k3s/remote-command.ts'
import { redact } from '../lifecycle/redact.ts'

export interface ExecOptions {
  /** Run through sudo unless the login user is root. */
  sudo?: boolean
  /**
   * Written to sudo's stdin when (and only when) sudo prompts for it; a function is asked only
   * then, so a keychain is not read for a node with passwordless sudo.
   */
  sudoPassword?: string | (() => Promise<string | undefined>)
  /** Fed to the command's stdin, then closed; without it the command reads /dev/null. */
  stdin?: string
  /** The stdin is a secret: never logged, and redacted from anything that quotes the command. */
  secretStdin?: boolean
  timeoutMs: number
  signal?: AbortSignal
}

export interface ExecResult {
  exitCode: number
  stdout: string
  stderr: string
}

interface ExecContext extends ExecOptions {
  user: string
  label: string
  secrets: string[]
  log: ((line: string) => void) | undefined
}

/** How the command is wrapped: sudo's prompt marker, and whether it reads the stdin we send. */
export interface RemoteWrapping {
  /** Run under `sudo -S -p MARKER`. */
  sudoMarker?: string
  /**
   * The command reads the channel's stdin. Under sudo it first prints this marker on stderr, so
   * the stdin is sent only once sudo has read (or not needed) its password from the same channel.
   */
  stdinMarker?: string
  withStdin?: boolean
}

/**
 * The command as sent. The node enforces the deadline too, with coreutils' timeout (which kills
 * the whole process group): sshd ignores signal requests on root sessions, and a dropped connection
 * must not leave a command running. Without stdin of its own it reads /dev/null; for a non-root
 * user who asked for sudo it runs under `sudo -S -p MARKER`, which reads the password from the
 * channel.
 */
export function remoteCommand(command: string, timeoutMs: number, wrapping: RemoteWrapping = {}): string {
  const { sudoMarker, stdinMarker, withStdin = false } = wrapping
  const prefix = !withStdin
    ? 'exec </dev/null; '
    : stdinMarker === undefined
      ? ''
      : `printf %s ${shellQuote(stdinMarker)} >&2; `
  const bounded = `timeout -s KILL ${Math.ceil(timeoutMs / 1000)} sh -c ${shellQuote(`${prefix}${command}`)}`
  return sudoMarker === undefined ? bounded : `sudo -S -p ${shellQuote(sudoMarker)} -- ${bounded}`
}

/** The step log's line for a command, before it runs; registered secrets are redacted. */
export function commandLogLine(
  user: string,
  label: string,
  command: string,
  sudo: boolean,
  secrets: string[],
  stdin?: { bytes: number; secret: boolean },
): string {
  const input = stdin ? (stdin.secret ? ' (secret stdin)' : ` (stdin: ${stdin.bytes} bytes)`) : ''
  return `${user}@${label}$ ${sudo ? 'sudo ' : ''}${redact(command, secrets)}${input}`
}

export function execOnClient(client: SshClient, command: string, context: ExecContext): Promise<ExecResult> {
  const secrets = [
    ...context.secrets,
    ...(typeof context.sudoPassword === 'string' ? [context.sudoPassword] : []),
    ...(context.secretStdin && context.stdin !== undefined ? [context.stdin] : []),
  ]
  const useSudo = context.sudo === true && context.user !== 'root'
  const nonce = randomBytes(6).toString('hex')
  const marker = `[clusterdeck-sudo-${nonce}]`
  const withStdin = context.stdin !== undefined
  const stdinMarker = useSudo && withStdin ? `[clusterdeck-stdin-${nonce}]` : undefined
  const shown = redact(command, secrets)
  context.log?.(
    commandLogLine(
      context.user,
      context.label,
      command,
      useSudo,
      secrets,
      withStdin
        ? { bytes: Buffer.byteLength(context.stdin!), secret: context.secretStdin === true }
        : undefined,
    ),
  )
  const started = Date.now()

  return new Promise((resolve, reject) => {
    let channel: ClientChannel | undefined
    let settled = false
    const stdout: Buffer[] = []
    let stderr = ''
    let prompts = 0

    const finish = (error: AppError | undefined, exitCode?: number): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      context.signal?.removeEventListener('abort', onAbort)
      const seconds = ((Date.now() - started) / 1000).toFixed(1)
      if (error) {
        context.log?.(`${error.message} (${seconds} s)`)
        // Stops a non-root user's command at once (sshd signals only those); the remote timeout
        // ends a root's at its deadline.
        channel?.signal('KILL')
        channel?.close()
        return reject(error)
      }
      context.log?.(`exit ${exitCode} (${seconds} s)`)
      resolve({ exitCode: exitCode ?? -1, stdout: Buffer.concat(stdout).toString('utf8'), stderr })
    }
    const onAbort = (): void =>
      finish(new AppError('cancelled', `"${shown}" on ${context.label} was cancelled.`))
    const timer = setTimeout(
      () =>
        finish(
          new AppError(
            'timeout',
            `"${shown}" on ${context.label} did not finish within ${Math.round(context.timeoutMs / 1000)} s.`,
            'The node may be busy or the command waits for input; check the node and try again.',
          ),
        ),
      context.timeoutMs,
    )
    const refuseSudo = (): void =>
      finish(
        new AppError(
          'ssh_auth_failed',
          prompts > 1
            ? `sudo on ${context.label} refused the password of ${context.user}.`
            : `sudo on ${context.label} asks for the password of ${context.user}.`,
          'Save the right sudo password for this node, or allow the user passwordless sudo.',
        ),
      )
    if (context.signal?.aborted) return onAbort()
    context.signal?.addEventListener('abort', onAbort, { once: true })

    const wrapped = remoteCommand(command, context.timeoutMs, {
      ...(useSudo ? { sudoMarker: marker } : {}),
      ...(stdinMarker ? { stdinMarker } : {}),
      withStdin,
    })
    client.exec(wrapped, (error, stream) => {
      if (error)
        return finish(
          new AppError('ssh_unreachable', `${context.label} refused to run a command: ${error.message}.`),
        )
      channel = stream
      if (settled) return void stream.close()
      // Without sudo in between, the command is the only reader of the channel's stdin.
      if (withStdin && stdinMarker === undefined) stream.end(context.stdin)
      stream.on('data', (chunk: Buffer) => stdout.push(chunk))
      stream.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8')
        if (stdinMarker !== undefined && stderr.includes(stdinMarker)) {
          stderr = stderr.split(stdinMarker).join('')
          stream.end(context.stdin)
        }
        if (!useSudo || !stderr.includes(marker)) return
        stderr = stderr.split(marker).join('')
        prompts += 1
        if (context.sudoPassword === undefined || prompts > 1) return refuseSudo()
        void sudoPasswordOf(context.sudoPassword).then(
          (password) => {
            if (settled) return
            if (password === undefined) return refuseSudo()
            stream.write(`${password}\n`)
          },
          (cause: unknown) =>
            finish(
              cause instanceof AppError
                ? cause
                : new AppError(
                    'secrets_unavailable',
                    `The sudo password could not be read: ${String(cause)}`,
                  ),
            ),
        )
      })
      // -1 when the process ended by a signal (its name is added to stderr).
      let exitCode: number | undefined
      stream.on('exit', (code: number | null, signalName?: string) => {
        exitCode = code ?? -1
        if (code === null && signalName) stderr += `\n(killed by SIG${signalName})`
      })
      stream.on('close', () =>
        exitCode === undefined
          ? finish(
              new AppError(
                'ssh_unreachable',
                `The connection to ${context.label} closed before "${shown}" finished.`,
                'Check that the node is up; the step can be retried.',
              ),
            )
          : finish(undefined, exitCode),
      )
    })
  })
}

async function sudoPasswordOf(source: NonNullable<ExecOptions['sudoPassword']>): Promise<string | undefined> {
  return typeof source === 'string' ? source : source()
}
