import { describe, expect, it } from 'vitest'
import { isSecretField, maskMachineConfig, maskedValue } from './mask-machine-config.ts'

// The secret-bearing fields of a Talos 1.12 config (v1alpha1 and the newer documents), each with a
// value found nowhere else in the file.
const secrets = {
  machineToken: 'abcdef.0123456789abcdef',
  machineCaKey: 'TUFDSElORS1DQS1LRVk=',
  registryPassword: 'hunter2-registry',
  registryAuth: 'dXNlcjpodW50ZXIy',
  registryToken: 'identity-token-value',
  clientIdentityKey: 'UkVHSVNUUlktQ0xJRU5ULUtFWQ==',
  wireguardPrivate: 'WG-PRIVATE-kEy+base64=',
  passphrase: 'disk-passphrase-value',
  clusterSecret: 'Y2x1c3Rlci1zZWNyZXQ=',
  bootstrapToken: 'x1y2z3.a1b2c3d4e5f6g7h8',
  secretbox: 'c2VjcmV0Ym94LXZhbHVl',
  aescbc: 'YWVzY2JjLXZhbHVl',
  clusterCaKey: 'Q0xVU1RFUi1DQS1LRVk=',
  aggregatorKey: 'QUdHUkVHQVRPUi1LRVk=',
  serviceAccountKey: 'SERVICE-ACCOUNT-PEM-LINE',
  etcdKey: 'RVRDRC1DQS1LRVk=',
  presharedKey: 'PRESHARED-kEy+base64=',
}

const config = `version: v1alpha1
machine:
  type: controlplane # the first control plane
  token: ${secrets.machineToken}
  ca:
    crt: TUFDSElORS1DQS1DUlQ=
    key: ${secrets.machineCaKey}
  network:
    hostname: turing-cp1
    interfaces:
      - interface: wg0
        wireguard:
          privateKey: ${secrets.wireguardPrivate}
          peers:
            - publicKey: WG-PUBLIC-KEY=
              endpoint: 192.168.1.2:51820
  registries:
    config:
      registry.example.com:
        auth:
          username: robot
          password: ${secrets.registryPassword}
          auth: ${secrets.registryAuth}
          identityToken: ${secrets.registryToken}
        tls:
          clientIdentity:
            crt: UkVHSVNUUlktQ0xJRU5ULUNSVA==
            key: ${secrets.clientIdentityKey}
  systemDiskEncryption:
    state:
      provider: luks2
      keys:
        - slot: 0
          static:
            passphrase: ${secrets.passphrase}
  install:
    disk: /dev/nvme0n1
cluster:
  id: Y2x1c3Rlci1pZA==
  secret: ${secrets.clusterSecret}
  token: ${secrets.bootstrapToken}
  secretboxEncryptionSecret: ${secrets.secretbox}
  aescbcEncryptionSecret: ${secrets.aescbc}
  ca:
    crt: Q0xVU1RFUi1DQS1DUlQ=
    key: ${secrets.clusterCaKey}
  aggregatorCA:
    crt: QUdHUkVHQVRPUi1DUlQ=
    key: ${secrets.aggregatorKey}
  serviceAccount:
    key: |
      -----BEGIN EC PRIVATE KEY-----
      ${secrets.serviceAccountKey}
      -----END EC PRIVATE KEY-----
  etcd:
    ca:
      crt: RVRDRC1DQS1DUlQ=
      key: ${secrets.etcdKey}
---
apiVersion: v1alpha1
kind: HostnameConfig
hostname: turing-cp1
---
apiVersion: v1alpha1
kind: WireguardConfig
name: wg1
peers:
  - publicKey: WG-PEER-PUBLIC=
    presharedKey: ${secrets.presharedKey}
`

describe('maskMachineConfig', () => {
  const masked = maskMachineConfig(config)

  it('masks every key, token, password, passphrase and secret, in every document', () => {
    for (const [field, secret] of Object.entries(secrets)) expect(masked, field).not.toContain(secret)
    // The registry's auth block is masked whole, the user name with it.
    expect(masked.split(maskedValue)).toHaveLength(Object.keys(secrets).length + 2)
  })

  it('keeps certificates, public keys, names, comments and the document order', () => {
    for (const kept of [
      'crt: TUFDSElORS1DQS1DUlQ=',
      'crt: Q0xVU1RFUi1DQS1DUlQ=',
      'publicKey: WG-PUBLIC-KEY=',
      'publicKey: WG-PEER-PUBLIC=',
      'hostname: turing-cp1',
      'disk: /dev/nvme0n1',
      'id: Y2x1c3Rlci1pZA==',
      'type: controlplane # the first control plane',
    ])
      expect(masked).toContain(kept)
    expect(masked.match(/^kind: \w+$/gm)).toEqual(['kind: HostnameConfig', 'kind: WireguardConfig'])
    expect(masked.indexOf('machine:')).toBeLessThan(masked.indexOf('cluster:'))
  })

  it('leaves a config without secrets as it was, and says where a broken one breaks without quoting it', () => {
    const plain = 'apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: w1\n'
    expect(maskMachineConfig(plain)).toBe(plain)
    expect(() => maskMachineConfig(`machine:\n  token: [${secrets.machineToken}\nx`)).toThrow(
      expect.objectContaining({ code: 'invalid_input', message: expect.not.stringContaining('abcdef') }),
    )
  })

  it('masks what an alias under a secret field points to, and the anchor under it', () => {
    const masked = maskMachineConfig(
      'shared: &pw hunter2\nregistry:\n  password: *pw\n  auth: &a {username: robot, token: t0k}\nother: *a\n',
    )
    expect(masked).toContain('password: ••••••••')
    expect(masked).not.toContain('t0k')
    expect(masked).not.toContain('robot')
  })
})

describe('isSecretField', () => {
  it('goes by the last word of the name', () => {
    for (const name of ['key', 'token', 'privateKey', 'presharedKey', 'apiToken', 'aescbcEncryptionSecret'])
      expect(isSecretField(name), name).toBe(true)
    expect(isSecretField('bootstrap_token')).toBe(true)
    for (const name of ['publicKey', 'adUserPortKey', 'keys', 'keySize', 'crt', 'tokenFile', 'hostname'])
      expect(isSecretField(name), name).toBe(false)
  })
})
