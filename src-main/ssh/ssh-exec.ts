// One command on an open connection: output collected, the exit status returned (not thrown),
// sudo's password fed on stdin only when sudo asks, a deadline and cancellation that stop the
// remote process, and every command with its exit status logged with secrets redacted.
import { randomBytes } from 'node:crypto'
import type { Client as SshClient, ClientChannel } from 'ssh2'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { redact } from '../lifecycle/redact.ts'

export interface ExecOptions {
  /** Run through sudo unless the login user is root. */
  sudo?: boolean
  /** Written to sudo's stdin when (and only when) sudo prompts for it. */
  sudoPassword?: string
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

/** POSIX single quotes: nothing inside is special but the quote itself. */
export function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`
}

/**
 * The command as sent. The node enforces the deadline too, with coreutils' timeout (which kills
 * the whole process group): sshd ignores signal requests on root sessions, and a dropped connection
 * must not leave a command running. Its stdin is /dev/null; for a non-root user who asked for sudo
 * it runs under `sudo -S -p MARKER`, which reads the password from the channel.
 */
export function remoteCommand(command: string, timeoutMs: number, sudoMarker?: string): string {
  const bounded = `timeout -s KILL ${Math.ceil(timeoutMs / 1000)} sh -c ${shQuote(`exec </dev/null; ${command}`)}`
  return sudoMarker === undefined ? bounded : `sudo -S -p ${shQuote(sudoMarker)} -- ${bounded}`
}

/** The step log's line for a command, before it runs; registered secrets are redacted. */
export function commandLogLine(
  user: string,
  label: string,
  command: string,
  sudo: boolean,
  secrets: string[],
): string {
  return `${user}@${label}$ ${sudo ? 'sudo ' : ''}${redact(command, secrets)}`
}

export function execOnClient(client: SshClient, command: string, context: ExecContext): Promise<ExecResult> {
  const secrets = [...context.secrets, ...(context.sudoPassword ? [context.sudoPassword] : [])]
  const useSudo = context.sudo === true && context.user !== 'root'
  const marker = `[clusterdeck-sudo-${randomBytes(6).toString('hex')}]`
  const shown = redact(command, secrets)
  context.log?.(commandLogLine(context.user, context.label, command, useSudo, secrets))
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
    if (context.signal?.aborted) return onAbort()
    context.signal?.addEventListener('abort', onAbort, { once: true })

    client.exec(remoteCommand(command, context.timeoutMs, useSudo ? marker : undefined), (error, stream) => {
      if (error)
        return finish(
          new AppError('ssh_unreachable', `${context.label} refused to run a command: ${error.message}.`),
        )
      channel = stream
      if (settled) return void stream.close()
      stream.on('data', (chunk: Buffer) => stdout.push(chunk))
      stream.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8')
        if (!useSudo || !stderr.includes(marker)) return
        stderr = stderr.split(marker).join('')
        prompts += 1
        if (context.sudoPassword === undefined || prompts > 1) {
          finish(
            new AppError(
              'ssh_auth_failed',
              prompts > 1
                ? `sudo on ${context.label} refused the password of ${context.user}.`
                : `sudo on ${context.label} asks for the password of ${context.user}.`,
              'Save the right sudo password for this node, or allow the user passwordless sudo.',
            ),
          )
          return
        }
        stream.write(`${context.sudoPassword}\n`)
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
