// One SSH connection over ssh2's Client: the host key checked against its pin (pinned on first
// use), authentication in OpenSSH's order, bounded connect time and keep-alives (docs/ssh.md).
import { readFileSync } from 'node:fs'
import ssh2 from 'ssh2'
import type { AnyAuthMethod, Client as SshClient, ConnectConfig, ServerHostKeyAlgorithm } from 'ssh2'
import { AppError } from '../../src-shared/contract/app-error.ts'
import {
  hostKeyAlgorithmsFor,
  hostKeyChanged,
  hostLabel,
  keyAlgorithm,
  sshFingerprint,
  type HostKeyStore,
} from './host-keys.ts'
import { resolveSshHost, type SshConfigBlock } from './ssh-config.ts'
import { execOnClient, type ExecOptions, type ExecResult } from './ssh-exec.ts'

export interface SshTarget {
  /** The node's address or a Host alias of the user's ~/.ssh/config. */
  host: string
  /** The app's own settings win over ~/.ssh/config; unset ones come from it, then 22 and root. */
  port?: number
  user?: string
}

export interface SshAuth {
  /** ssh-agent's socket; by default SSH_AUTH_SOCK. */
  agentSocket?: string | undefined
  /** Private keys in OpenSSH or PEM format, e.g. the cluster's unsealed key; tried before IdentityFiles. */
  privateKeys?: string[]
  /** Only for a node that still has its first-boot password; tried last. */
  password?: string
}

export interface SshConnectOptions {
  target: SshTarget
  auth: SshAuth
  hostKeys: HostKeyStore
  /** Parsed ~/.ssh/config (loadSshConfig); none by default. */
  sshConfig?: SshConfigBlock[]
  connectTimeoutMs?: number
  keepaliveIntervalMs?: number
  /** Each command and its exit status, secrets redacted (ssh-exec.ts). */
  log?: (line: string) => void
  /** Values to redact from every logged line besides the passwords given here. */
  secrets?: string[]
  signal?: AbortSignal
}

export interface SshConnection {
  readonly host: string
  readonly port: number
  readonly user: string
  readonly hostKey: { algorithm: string; fingerprint: string }
  exec(command: string, options: ExecOptions): Promise<ExecResult>
  close(): void
}

const defaultConnectTimeoutMs = 20_000
const defaultKeepaliveIntervalMs = 10_000
/** Unanswered keep-alives before the connection counts as dead. */
const keepaliveCountMax = 3

function authMethods(user: string, auth: SshAuth, identityFiles: string[]): AnyAuthMethod[] {
  const methods: AnyAuthMethod[] = []
  const agent = 'agentSocket' in auth ? auth.agentSocket : process.env.SSH_AUTH_SOCK
  if (agent) methods.push({ type: 'agent', username: user, agent })
  for (const key of auth.privateKeys ?? []) methods.push({ type: 'publickey', username: user, key })
  for (const file of identityFiles) {
    let key: Buffer
    try {
      key = readFileSync(file)
    } catch {
      continue // OpenSSH, too, skips an IdentityFile that is not there.
    }
    // ssh2 skips a key it cannot parse, e.g. a passphrase-protected one: that needs the agent.
    methods.push({ type: 'publickey', username: user, key })
  }
  if (auth.password !== undefined) methods.push({ type: 'password', username: user, password: auth.password })
  return methods
}

function connectError(
  error: Error & { level?: string; code?: string },
  label: string,
  user: string,
): AppError {
  if (error instanceof AppError) return error
  if (error.level === 'client-authentication')
    return new AppError(
      'ssh_auth_failed',
      `${label} refused every way Clusterdeck tried to log in as ${user}.`,
      "Check that the cluster's key (or your agent's, or your ~/.ssh/config IdentityFile) is in the node's authorized_keys, or give the node's password.",
    )
  if (error.level === 'client-timeout')
    return new AppError(
      'timeout',
      `${label} did not finish the SSH handshake in time.`,
      'Check that the node is up and its SSH server runs.',
    )
  return new AppError(
    'ssh_unreachable',
    `Could not reach SSH at ${label}: ${error.code ?? error.message}.`,
    'Check that the node is powered on, its address and port are right, and its SSH server runs.',
  )
}

/** Where a target connects and as whom: the app's settings, then ~/.ssh/config, then 22 and root. */
export function resolveTarget(
  target: SshTarget,
  sshConfig: SshConfigBlock[],
): { host: string; port: number; user: string; identityFiles: string[] } {
  const settings = resolveSshHost(sshConfig, target.host)
  return {
    host: settings.hostName ?? target.host,
    port: target.port ?? settings.port ?? 22,
    user: target.user ?? settings.user ?? 'root',
    identityFiles: settings.identityFiles,
  }
}

export function connectSsh(options: SshConnectOptions): Promise<SshConnection> {
  const { host, port, user, identityFiles } = resolveTarget(options.target, options.sshConfig ?? [])
  const label = hostLabel(host, port)
  const redacted = [...(options.secrets ?? []), ...(options.auth.password ? [options.auth.password] : [])]
  const client: SshClient = new ssh2.Client()
  let refusal: AppError | undefined
  let hostKey = { algorithm: 'unknown', fingerprint: '' }
  const pinned = hostKeyAlgorithmsFor(
    options.hostKeys.find(host, port)?.algorithm ?? '',
  ) as ServerHostKeyAlgorithm[]

  const config: ConnectConfig = {
    host,
    port,
    username: user,
    readyTimeout: options.connectTimeoutMs ?? defaultConnectTimeoutMs,
    keepaliveInterval: options.keepaliveIntervalMs ?? defaultKeepaliveIntervalMs,
    keepaliveCountMax,
    authHandler: authMethods(user, options.auth, identityFiles),
    // The pinned key's type moves to the front of ssh2's list (remove, then prepend).
    ...(pinned.length > 0 && {
      algorithms: { serverHostKey: { remove: pinned, prepend: pinned, append: [] } },
    }),
    hostVerifier: (key: Buffer) => {
      hostKey = { algorithm: keyAlgorithm(key), fingerprint: sshFingerprint(key) }
      const pin = options.hostKeys.find(host, port)
      if (!pin) {
        options.hostKeys.pin(host, port, hostKey.algorithm, hostKey.fingerprint)
        options.log?.(
          `Pinned the host key of ${label} on first use: ${hostKey.algorithm} ${hostKey.fingerprint}`,
        )
        return true
      }
      if (pin.fingerprint === hostKey.fingerprint) return true
      refusal = hostKeyChanged(host, port, pin.fingerprint, hostKey.fingerprint, hostKey.algorithm)
      return false
    },
  }

  return new Promise((resolve, reject) => {
    const { signal } = options
    const onAbort = (): void => {
      client.end()
      reject(new AppError('cancelled', `Connecting to ${label} was cancelled.`))
    }
    if (signal?.aborted) return onAbort()
    signal?.addEventListener('abort', onAbort, { once: true })
    client.once('ready', () => {
      signal?.removeEventListener('abort', onAbort)
      // Commands are small request/answer exchanges: Nagle's delay would add tens of ms to each.
      client.setNoDelay(true)
      resolve({
        host,
        port,
        user,
        hostKey,
        exec: (command, execOptions) =>
          execOnClient(client, command, { ...execOptions, user, log: options.log, secrets: redacted, label }),
        close: () => client.end(),
      })
    })
    client.on('error', (error) => {
      signal?.removeEventListener('abort', onAbort)
      client.end()
      reject(refusal ?? connectError(error, label, user))
    })
    client.connect(config)
  })
}
