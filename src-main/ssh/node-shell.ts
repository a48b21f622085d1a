// A node as the K3s steps and the node service use it: one SSH connection with the cluster's key
// (and the first-boot password, while the node still has it), commands run as root — through
// sudo for a non-root login, with the profile's node password from the keychain only when sudo
// asks — and node actions converged: checked, applied only when the check fails (docs/ssh.md).
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { NodeAction, RemoteCommand } from '../../src-shared/k3s/remote-command.ts'
import { redact } from '../lifecycle/redact.ts'
import { nodePasswordAccount, type SecretStore } from '../secrets/secret-store.ts'
import type { HostKeyStore } from './host-keys.ts'
import type { SshConfigBlock } from './ssh-config.ts'
import { connectSsh, type SshConnection, type SshTarget } from './ssh-connection.ts'
import type { ExecResult } from './ssh-exec.ts'

export interface NodeEndpoint {
  hostname: string
  host: string
  port: number
}

export interface NodeShell {
  /**
   * Runs as root (sudo -S for a non-root login, password from the keychain only when sudo asks).
   * Logs `user@host$ command` and `exit N` (secrets redacted; secretStdout output never logged).
   */
  run(command: RemoteCommand, options?: { timeoutMs?: number }): Promise<ExecResult>
  /**
   * Runs a NodeAction: check, then apply commands in order unless the check passed; throws an
   * AppError naming the node, the action title and the failing command's stderr tail.
   */
  converge(action: NodeAction): Promise<'done' | 'already'>
  close(): void
}

export interface NodeShellOptions {
  endpoint: NodeEndpoint
  profileName: string
  /** The cluster's private key (OpenSSH), unsealed by the caller. */
  clusterKey: string
  /** Only for the first login of a fresh node. */
  password?: string
  /** Default: profile nodeAccess.user (the caller's), then ~/.ssh/config, then root. */
  user?: string
  log(line: string): void
  /** Redact these too. */
  secrets: string[]
  signal: AbortSignal
}

export interface NodeShells {
  open(options: NodeShellOptions): Promise<NodeShell>
}

export interface NodeShellsDependencies {
  hostKeys: HostKeyStore
  /** Holds the profiles' node passwords (nodePasswordAccount). */
  secrets: Pick<SecretStore, 'get'>
  /** The user's ~/.ssh/config (the composition root reads the file once). */
  sshConfig(): SshConfigBlock[]
  /** ssh-agent's socket; by default SSH_AUTH_SOCK. */
  agentSocket?: string | undefined
  connectTimeoutMs?: number
}

/** What a command may take unless told otherwise: package installs are the slow ones. */
export const defaultCommandTimeoutMs = 10 * 60_000

/** The end of a command's stderr quoted in an error: enough for the reason, not a whole log. */
const stderrTailChars = 600

/** Port 22 is the default, so the user's ~/.ssh/config may still set another one for the host. */
export function sshTargetOf(endpoint: NodeEndpoint): SshTarget {
  return { host: endpoint.host, ...(endpoint.port === 22 ? {} : { port: endpoint.port }) }
}

export function createNodeShells(deps: NodeShellsDependencies): NodeShells {
  return {
    async open(options) {
      const { endpoint } = options
      const connection = await connectSsh({
        target: { ...sshTargetOf(endpoint), ...(options.user ? { user: options.user } : {}) },
        auth: {
          ...('agentSocket' in deps ? { agentSocket: deps.agentSocket } : {}),
          privateKeys: [options.clusterKey],
          ...(options.password !== undefined ? { password: options.password } : {}),
        },
        hostKeys: deps.hostKeys,
        sshConfig: deps.sshConfig(),
        log: options.log,
        secrets: options.secrets,
        signal: options.signal,
        ...(deps.connectTimeoutMs ? { connectTimeoutMs: deps.connectTimeoutMs } : {}),
      })
      return nodeShell(connection, options, () => deps.secrets.get(nodePasswordAccount(options.profileName)))
    },
  }
}

function nodeShell(
  connection: SshConnection,
  options: NodeShellOptions,
  nodePassword: () => Promise<string | null>,
): NodeShell {
  const secrets = [...options.secrets, ...(options.password ? [options.password] : [])]
  let sudoPassword: Promise<string | undefined> | undefined
  const readSudoPassword = () => {
    // Read once per connection, and only when sudo prompts (again after a keychain failure); then
    // redacted from the errors this shell raises.
    sudoPassword ??= nodePassword().then(
      (password) => {
        if (password) secrets.push(password)
        return password ?? options.password
      },
      (error: unknown) => {
        sudoPassword = undefined
        throw error
      },
    )
    return sudoPassword
  }

  const run: NodeShell['run'] = (command, runOptions = {}) =>
    connection.exec(command.command, {
      sudo: true,
      sudoPassword: readSudoPassword,
      timeoutMs: runOptions.timeoutMs ?? defaultCommandTimeoutMs,
      signal: options.signal,
      ...(command.stdin !== undefined ? { stdin: command.stdin } : {}),
      ...(command.secretStdin ? { secretStdin: true } : {}),
    })

  return {
    run,
    async converge(action) {
      const check = await run(action.check)
      if (check.exitCode === 0) {
        options.log(`${action.title}: already in place`)
        return 'already'
      }
      for (const command of action.apply) {
        const result = await run(command)
        if (result.exitCode !== 0) throw actionFailed(options.endpoint, action, command, result, secrets)
      }
      return 'done'
    },
    close: () => connection.close(),
  }
}

function actionFailed(
  endpoint: NodeEndpoint,
  action: NodeAction,
  command: RemoteCommand,
  result: ExecResult,
  secrets: string[],
): AppError {
  const hidden = [...secrets, ...(command.secretStdin && command.stdin ? [command.stdin] : [])]
  const tail = redact(result.stderr.trim(), hidden).slice(-stderrTailChars)
  const shown = redact(command.command, hidden)
  return new AppError(
    'node_command_failed',
    `${endpoint.hostname}: "${action.title}" failed: \`${shown}\` exited with ${result.exitCode}${
      tail ? `: ${tail}` : ' and printed nothing on stderr'
    }`,
    `The step log of ${endpoint.hostname} has every command of this action; fix the cause on the node, then retry the step.`,
    { node: endpoint.hostname, action: action.id, command: shown, exitCode: String(result.exitCode) },
  )
}
