// A cluster's big secrets — the Talos secrets bundle, talosconfig, kubeconfig, K3s tokens,
// generated SSH keys, add-on passwords — are several KB each, more than some keychains hold
// (Windows' Credential Manager stops at 2,560 bytes). So each is sealed into a file of its own
// under clusters/<id>/secrets/<name>.sealed (0600) with AES-256-GCM, and only the cluster's random
// 32-byte data key goes to the keychain through the SecretStore port. The associated data binds
// a file to its cluster and name: a sealed file copied over another one does not open.
// Nothing here logs; the opened value goes back to the caller only.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { SecretStore } from './secret-store.ts'

/** "CDSEAL" and the format version; then the 12-byte nonce, the 16-byte tag and the ciphertext. */
const magic = Buffer.from('CDSEAL\x00\x01', 'latin1')
const nonceBytes = 12
const tagBytes = 16
const header = magic.length + nonceBytes + tagBytes

const namePattern = /^[a-z0-9][a-z0-9.-]{0,63}$/
const clusterIdPattern = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/

/** The keychain account holding a cluster's data key. */
export function clusterDataKeyAccount(clusterId: string): string {
  return `cluster:${clusterId}:data-key`
}

/** Where a cluster's sealed files live, relative to the data directory. */
export function sealedDirOf(clusterId: string): string {
  return join('clusters', clusterId, 'secrets')
}

export class SealedSecrets {
  private readonly dataDir: string
  private readonly keychain: SecretStore

  constructor(dataDir: string, keychain: SecretStore) {
    this.dataDir = dataDir
    this.keychain = keychain
  }

  /** Seals a secret (replacing an earlier one of the same name); returns its path in the data directory. */
  async seal(clusterId: string, name: string, value: string | Uint8Array): Promise<string> {
    check(clusterId, name)
    const key = await this.dataKey(clusterId, { create: true })
    const nonce = randomBytes(nonceBytes)
    const cipher = createCipheriv('aes-256-gcm', key, nonce)
    cipher.setAAD(associatedData(clusterId, name))
    const sealed = Buffer.concat([cipher.update(value), cipher.final()])
    const dir = join(this.dataDir, sealedDirOf(clusterId))
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const relative = join(sealedDirOf(clusterId), `${name}.sealed`)
    const temporary = join(this.dataDir, `${relative}.${process.pid}.tmp`)
    // Written whole, then renamed: a crash leaves the old file or the new one, never half of one.
    writeFileSync(temporary, Buffer.concat([magic, nonce, cipher.getAuthTag(), sealed]), { mode: 0o600 })
    chmodSync(temporary, 0o600)
    renameSync(temporary, join(this.dataDir, relative))
    return relative
  }

  async open(clusterId: string, name: string): Promise<Buffer> {
    check(clusterId, name)
    const path = join(this.dataDir, sealedDirOf(clusterId), `${name}.sealed`)
    if (!existsSync(path)) {
      throw new AppError('not_found', `The cluster ${clusterId} has no sealed secret "${name}".`)
    }
    const file = readFileSync(path)
    const key = await this.dataKey(clusterId, { create: false })
    if (file.length < header || !file.subarray(0, magic.length).equals(magic)) throw tampered(clusterId, name)
    const decipher = createDecipheriv(
      'aes-256-gcm',
      key,
      file.subarray(magic.length, magic.length + nonceBytes),
    )
    decipher.setAAD(associatedData(clusterId, name))
    decipher.setAuthTag(file.subarray(magic.length + nonceBytes, header))
    try {
      return Buffer.concat([decipher.update(file.subarray(header)), decipher.final()])
    } catch {
      throw tampered(clusterId, name)
    }
  }

  /** The names of a cluster's sealed secrets. */
  list(clusterId: string): string[] {
    check(clusterId)
    const dir = join(this.dataDir, sealedDirOf(clusterId))
    if (!existsSync(dir)) return []
    return readdirSync(dir)
      .filter((file) => file.endsWith('.sealed'))
      .map((file) => file.slice(0, -'.sealed'.length))
      .sort()
  }

  /** Removes a cluster's sealed files and then its data key (a destroyed cluster's secrets are gone). */
  async forget(clusterId: string): Promise<void> {
    check(clusterId)
    rmSync(join(this.dataDir, sealedDirOf(clusterId)), { recursive: true, force: true })
    await this.keychain.delete(clusterDataKeyAccount(clusterId))
  }

  private async dataKey(clusterId: string, { create }: { create: boolean }): Promise<Buffer> {
    const account = clusterDataKeyAccount(clusterId)
    const stored = await this.keychain.get(account)
    if (stored) {
      const key = Buffer.from(stored, 'base64')
      if (key.length === 32) return key
      throw new AppError(
        'secrets_unavailable',
        `The keychain entry "${account}" is not a data key (it holds ${key.length} bytes, not 32).`,
        'Restore the entry from a backup of the keychain; the cluster’s sealed files cannot be opened without it.',
      )
    }
    // A new key would seal new files but leave the existing ones unreadable for good: refuse.
    const existing = this.list(clusterId)
    if (!create || existing.length > 0) {
      throw new AppError(
        'secrets_unavailable',
        `The data key of cluster ${clusterId} is missing from the keychain (entry "${account}"), so its sealed secrets${existing.length ? ` (${existing.join(', ')})` : ''} cannot be opened.`,
        'Restore the keychain entry (from a keychain backup, or by unlocking the keychain that holds it); without it these files are unreadable and the cluster must be reached with credentials kept elsewhere.',
      )
    }
    const key = randomBytes(32)
    await this.keychain.set(account, key.toString('base64'))
    return key
  }
}

function check(clusterId: string, name?: string): void {
  if (!clusterIdPattern.test(clusterId))
    throw new AppError('invalid_input', `"${clusterId}" is not a cluster id.`)
  if (name !== undefined && !namePattern.test(name)) {
    throw new AppError(
      'invalid_input',
      `"${name}" is not a sealed secret name: use lower-case letters, digits, dots and dashes (at most 64).`,
    )
  }
}

function associatedData(clusterId: string, name: string): Buffer {
  return Buffer.from(`clusterdeck sealed secret v1\0${clusterId}\0${name}`, 'utf8')
}

function tampered(clusterId: string, name: string): AppError {
  return new AppError(
    'tampered',
    `The sealed secret "${name}" of cluster ${clusterId} was changed or does not belong to this cluster: it failed its authenticity check and was not opened.`,
    'Restore the file from a backup of the data directory.',
  )
}
