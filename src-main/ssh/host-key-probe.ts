// The host key a node presents now, without logging in: what `nodes.hostKey` compares with the pin
// and what "trust the new key" checks before pinning (docs/ssh.md).
import ssh2 from 'ssh2'
import type { ServerHostKeyAlgorithm } from 'ssh2'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { hostKeyAlgorithmsFor, hostLabel, keyAlgorithm, sshFingerprint } from './host-keys.ts'

export interface PresentedHostKey {
  algorithm: string
  fingerprint: string
}

/**
 * Opens a connection far enough to see the host key, then drops it: nothing is pinned and no
 * credential is sent. The key type given (the pinned one) is asked for first, as a login would.
 */
export function presentedHostKey(
  host: string,
  port: number,
  { preferredType = '', timeoutMs = 20_000 }: { preferredType?: string; timeoutMs?: number } = {},
): Promise<PresentedHostKey> {
  const label = hostLabel(host, port)
  const preferred = hostKeyAlgorithmsFor(preferredType) as ServerHostKeyAlgorithm[]
  const client = new ssh2.Client()
  return new Promise((resolve, reject) => {
    let seen: PresentedHostKey | undefined
    client.on('error', (error: Error & { level?: string; code?: string }) => {
      client.end()
      if (seen) return resolve(seen)
      reject(
        error.level === 'client-timeout'
          ? new AppError('timeout', `${label} did not show its SSH host key in time.`)
          : new AppError(
              'ssh_unreachable',
              `Could not reach SSH at ${label}: ${error.code ?? error.message}.`,
              'Check that the node is powered on, its address and port are right, and its SSH server runs.',
            ),
      )
    })
    client.connect({
      host,
      port,
      username: 'clusterdeck-probe',
      readyTimeout: timeoutMs,
      ...(preferred.length > 0 && {
        algorithms: { serverHostKey: { remove: preferred, prepend: preferred, append: [] } },
      }),
      hostVerifier: (key: Buffer) => {
        seen = { algorithm: keyAlgorithm(key), fingerprint: sshFingerprint(key) }
        return false // Refused here, so the handshake stops before any authentication.
      },
    })
  })
}
