import { describe, expect, it } from 'vitest'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { generateClusterKey } from './cluster-key.ts'
import {
  hostKeyAlgorithmsFor,
  hostKeyChanged,
  keyAlgorithm,
  publicKeyFingerprint,
  trustHostKey,
  type HostKeyStore,
} from './host-keys.ts'

// A key made by ssh-keygen, and the fingerprint `ssh-keygen -lf` printed for it.
const vectorKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKViYWwjvuW5in12b2hNE/PuVT8a4kRvPz+ZNEgLFOZr vector'
const vectorFingerprint = 'SHA256:ApLDKz7fjSphnKzXQRaeY2n4SKahGkmlmpnMPHKb1FQ'

describe('SSH host keys', () => {
  it('prints fingerprints as OpenSSH does and reads the algorithm from the key blob', () => {
    expect(publicKeyFingerprint(vectorKey)).toBe(vectorFingerprint)
    expect(keyAlgorithm(Buffer.from(vectorKey.split(' ')[1]!, 'base64'))).toBe('ssh-ed25519')
    expect(keyAlgorithm(Buffer.from([0, 0, 0, 9, 1]))).toBe('unknown')
  })

  it('generates a per-cluster ed25519 key in OpenSSH format', () => {
    const key = generateClusterKey('clusterdeck@lab')
    expect(key.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/)
    expect(key.publicKey).toMatch(/^ssh-ed25519 AAAA\S+ clusterdeck@lab$/)
    expect(key.fingerprint).toBe(publicKeyFingerprint(key.publicKey))
    expect(generateClusterKey('x').fingerprint).not.toBe(key.fingerprint)
  })

  it('asks first for the pinned key type', () => {
    expect(hostKeyAlgorithmsFor('ssh-rsa')).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'])
    expect(hostKeyAlgorithmsFor('ecdsa-sha2-nistp256')).toEqual(['ecdsa-sha2-nistp256'])
    expect(hostKeyAlgorithmsFor('sk-ssh-ed25519@openssh.com')).toEqual([])
  })

  it('names both fingerprints when a key changed', () => {
    const error = hostKeyChanged('10.0.0.5', 2222, 'SHA256:old', 'SHA256:new', 'ssh-ed25519')
    expect(error.code).toBe('ssh_host_key_changed')
    expect(error.message).toContain('[10.0.0.5]:2222')
    expect(error.message).toContain('trusted SHA256:old, now SHA256:new')
    expect(error.details).toMatchObject({ expected: 'SHA256:old', actual: 'SHA256:new' })
  })

  it('trusts only a well-formed fingerprint', () => {
    const pins: string[] = []
    const store: HostKeyStore = {
      find: () => undefined,
      pin: (_h, _p, _a, fingerprint) => pins.push(fingerprint),
    }
    expect(() => trustHostKey(store, 'node1', 22, 'ssh-ed25519', 'SHA256:short')).toThrow(AppError)
    trustHostKey(store, 'node1', 22, 'ssh-ed25519', vectorFingerprint)
    expect(pins).toEqual([vectorFingerprint])
  })
})
