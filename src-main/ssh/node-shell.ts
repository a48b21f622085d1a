// Running commands on a node from a step (the shared design for issue 13, decision 6): the K3s
// step executors and the node service open a shell on a node through `NodeShells`, which the
// composition root creates with the pinned host keys, ~/.ssh/config and the keychain.
import type { NodeAction, RemoteCommand } from '../../src-shared/k3s/remote-command.ts'
import type { ExecResult } from './ssh-exec.ts'

export interface NodeEndpoint {
  hostname: string
  host: string
  port: number
}

export interface NodeShell {
  /** Runs as root (sudo -S for a non-root login, password from the keychain only when sudo asks).
   *  Logs `user@host$ command` and `exit N` (secrets redacted; secretStdout output never logged). */
  run(command: RemoteCommand, options?: { timeoutMs?: number }): Promise<ExecResult>
  /** Runs a NodeAction: check, then apply commands in order unless the check passed; throws an
   *  AppError naming the node, the action title and the failing command's stderr tail. */
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
  user?: string // default: profile nodeAccess.user, then ~/.ssh/config, then root
  log(line: string): void
  secrets: string[] // redact these too
  signal: AbortSignal
}

export interface NodeShells {
  open(options: NodeShellOptions): Promise<NodeShell>
}
