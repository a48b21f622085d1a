// Host keys as OpenSSH shows them, and the pins that make a changed key an error (docs/ssh.md).
import { createHash } from 'node:crypto'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { hostKeyChangedMessage } from '../../src-shared/ssh/host-key-change.ts'
import type { Db } from '../store/database.ts'

/** `SHA256:` and the unpadded base64 of the key blob's SHA-256, as `ssh-keygen -lf` prints it. */
export function sshFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`
}

/** The algorithm name a key blob starts with (an SSH string: 32-bit length, then the bytes). */
export function keyAlgorithm(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown'
  const length = keyBlob.readUInt32BE(0)
  return length > 0 && 4 + length <= keyBlob.length
    ? keyBlob.subarray(4, 4 + length).toString('latin1')
    : 'unknown'
}

/** The fingerprint of a public key line (`ssh-ed25519 AAAA… comment`). */
export function publicKeyFingerprint(publicKeyLine: string): string {
  const blob = publicKeyLine.trim().split(/\s+/)[1]
  if (!blob) throw new AppError('invalid_input', 'That is not an OpenSSH public key line.')
  return sshFingerprint(Buffer.from(blob, 'base64'))
}

/**
 * The host key algorithms that present a key of the pinned type, to be negotiated first: a node
 * with several host keys (ed25519, ECDSA, RSA) must show the pinned one, as OpenSSH prefers the
 * types it already knows for a host. An RSA key is signed with any of three algorithms.
 */
export function hostKeyAlgorithmsFor(keyType: string): string[] {
  if (keyType === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']
  return ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521'].includes(
    keyType,
  )
    ? [keyType]
    : []
}

export interface HostKeyPin {
  host: string
  port: number
  algorithm: string
  fingerprint: string
  pinnedAt: string
}

/** Where pins live; the SQLite repository below, or a test's own. */
export interface HostKeyStore {
  find(host: string, port: number): HostKeyPin | undefined
  /** Pins the key, replacing any earlier pin for the host and port. */
  pin(host: string, port: number, algorithm: string, fingerprint: string): void
}

export function hostLabel(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`
}

export function hostKeyChanged(
  host: string,
  port: number,
  expected: string,
  actual: string,
  algorithm: string,
): AppError {
  return new AppError(
    'ssh_host_key_changed',
    hostKeyChangedMessage({ label: hostLabel(host, port), expected, actual }),
    'A reinstalled node gets a new host key; so does someone else answering at that address. If you reinstalled it, trust the new key; otherwise check the network.',
    { expected, actual, algorithm, host, port: String(port) },
  )
}

interface HostKeyRow {
  host: string
  port: number
  algorithm: string
  fingerprint: string
  pinned_at: string
}

export class HostKeyRepository implements HostKeyStore {
  private readonly db: Db

  constructor(db: Db) {
    this.db = db
  }

  find(host: string, port: number): HostKeyPin | undefined {
    const row = this.db.prepare('SELECT * FROM ssh_host_keys WHERE host = ? AND port = ?').get(host, port) as
      HostKeyRow | undefined
    return (
      row && {
        host: row.host,
        port: row.port,
        algorithm: row.algorithm,
        fingerprint: row.fingerprint,
        pinnedAt: row.pinned_at,
      }
    )
  }

  pin(host: string, port: number, algorithm: string, fingerprint: string): void {
    this.db
      .prepare(
        `INSERT INTO ssh_host_keys (host, port, algorithm, fingerprint, pinned_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (host, port) DO UPDATE SET algorithm = excluded.algorithm,
           fingerprint = excluded.fingerprint, pinned_at = excluded.pinned_at`,
      )
      .run(host, port, algorithm, fingerprint, new Date().toISOString())
  }
}

/**
 * The explicit "trust the new key" action: pins the fingerprint the user saw in the refusal (not
 * whatever answers next), so a third key in between is refused again.
 */
export function trustHostKey(
  store: HostKeyStore,
  host: string,
  port: number,
  algorithm: string,
  fingerprint: string,
): void {
  if (!/^SHA256:[A-Za-z0-9+/]{43}$/.test(fingerprint))
    throw new AppError(
      'invalid_input',
      `${fingerprint} is not an SSH fingerprint.`,
      'Give it as SHA256:… as the refusal showed it.',
    )
  store.pin(host, port, algorithm, fingerprint)
}
