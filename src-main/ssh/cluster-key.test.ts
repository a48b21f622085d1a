import { describe, expect, it } from 'vitest'
import ssh2 from 'ssh2'
import { generateClusterKey, publicKeyOf } from './cluster-key.ts'

/** A key as ssh2 sometimes writes it: the public key's length field says 31 bytes. */
function brokenPair(comment: string) {
  const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment })
  const broken = pair.private.replace(/[A-Za-z0-9+/=\n]+(?=-----END)/, (body) => {
    const bytes = Buffer.from(body.replace(/\n/g, ''), 'base64')
    bytes.writeUInt32BE(31, bytes.indexOf(Buffer.from('ssh-ed25519')) + 11)
    return `${bytes.toString('base64')}\n`
  })
  return { private: broken, public: pair.public }
}

describe('the cluster key', () => {
  it('is made again when ssh2 writes one that does not read back', () => {
    const good = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'clusterdeck-lab' })
    const made = [brokenPair('clusterdeck-lab'), good]
    const key = generateClusterKey('clusterdeck-lab', () => made.shift()!)
    expect(key.privateKey).toBe(good.private)
    expect(key.publicKey).toBe(good.public.trim())
    expect(key.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/)
    expect(made).toEqual([])
  })

  it('gives up after five unreadable keys, saying so', () => {
    expect(() => generateClusterKey('x', brokenPair)).toThrow(/cannot be read/)
  })

  it('reads the authorized_keys line back from the private key', () => {
    for (let i = 0; i < 20; i++) {
      const key = generateClusterKey('clusterdeck-lab')
      expect(publicKeyOf(key.privateKey, 'clusterdeck-lab')).toBe(key.publicKey)
    }
  })

  it('refuses what is not an OpenSSH ed25519 key', () => {
    expect(() =>
      publicKeyOf('-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----', 'x'),
    ).toThrow(/not an unencrypted OpenSSH ed25519 key/)
  })
})
