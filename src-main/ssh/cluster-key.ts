// The per-cluster ed25519 key Clusterdeck generates. Returned, never written: the caller seals the
// private key (src-main/secrets/sealed-secrets.ts) and installs the public one on the nodes.
import ssh2 from 'ssh2'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { publicKeyFingerprint } from './host-keys.ts'

export interface ClusterKey {
  /** OpenSSH private key format (`-----BEGIN OPENSSH PRIVATE KEY-----`), unencrypted: seal it. */
  privateKey: string
  /** One authorized_keys line: `ssh-ed25519 AAAA… comment`. */
  publicKey: string
  fingerprint: string
}

type KeyPairMaker = (comment: string) => { private: string; public: string }

const ssh2KeyPair: KeyPairMaker = (comment) => ssh2.utils.generateKeyPairSync('ed25519', { comment })

/**
 * A new key that reads back: ssh2's ed25519 generator drops a leading zero byte of the public key
 * in about one key of 256 and writes a private key nothing can parse; such a key is made again.
 */
export function generateClusterKey(comment: string, makePair: KeyPairMaker = ssh2KeyPair): ClusterKey {
  for (let attempt = 1; ; attempt += 1) {
    const pair = makePair(comment)
    try {
      const publicKey = publicKeyOf(pair.private, comment)
      return { privateKey: pair.private, publicKey, fingerprint: publicKeyFingerprint(publicKey) }
    } catch (error) {
      if (attempt >= 5) throw error
    }
  }
}

/**
 * The authorized_keys line of an unencrypted OpenSSH ed25519 private key: its public key blob,
 * which the file carries in clear before the private part (openssh-key-v1: magic, cipher, KDF,
 * KDF options, key count, then each public key). A blob whose key is not 32 bytes is refused.
 */
export function publicKeyOf(privateKey: string, comment: string): string {
  const body = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(
    privateKey,
  )
  const bytes = Buffer.from(body?.[1]?.replace(/\s+/g, '') ?? '', 'base64')
  const magic = 'openssh-key-v1\0'
  try {
    if (bytes.subarray(0, magic.length).toString('latin1') !== magic) throw new RangeError('no magic')
    let offset = magic.length
    // The cipher, the KDF and its options.
    for (let field = 0; field < 3; field += 1) offset += 4 + readString(bytes, offset).length
    const blob = readString(bytes, offset + 4) // after the number of keys
    const type = readString(blob, 0)
    const key = readString(blob, 4 + type.length)
    if (type.toString('latin1') !== 'ssh-ed25519' || key.length !== 32) throw new RangeError('not ed25519')
    return `ssh-ed25519 ${blob.toString('base64')}${comment ? ` ${comment}` : ''}`
  } catch {
    throw new AppError(
      'tampered',
      'The cluster’s SSH key cannot be read: it is not an unencrypted OpenSSH ed25519 key.',
    )
  }
}

/** An SSH wire-format string (a 32-bit length, then the bytes) at `at`. */
function readString(bytes: Buffer, at: number): Buffer {
  const length = bytes.readUInt32BE(at)
  const value = bytes.subarray(at + 4, at + 4 + length)
  if (value.length !== length) throw new RangeError('truncated')
  return value
}
