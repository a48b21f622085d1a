// talos-certs.ts first: it loads the Reflect polyfill that @peculiar/x509 needs.
import {
  issueServerIdentity,
  osCaFromConfig,
  rolesOf,
  selfSignedIdentity,
  spkiFingerprint,
} from './talos-certs.ts'
import { X509Certificate as NodeCertificate, webcrypto } from 'node:crypto'
import { BasicConstraintsExtension, X509Certificate, X509CertificateGenerator } from '@peculiar/x509'
import { describe, expect, it } from 'vitest'

/** An OS CA as `talosctl gen secrets` writes it into a config: base64 of PEM, the key labelled ED25519. */
async function talosShapedCa(): Promise<{ crt: string; key: string }> {
  const ed25519 = { name: 'Ed25519' }
  const keys = (await webcrypto.subtle.generateKey(ed25519, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair
  const cert = await X509CertificateGenerator.createSelfSigned({
    name: 'O=talos',
    keys,
    signingAlgorithm: ed25519,
    extensions: [new BasicConstraintsExtension(true, undefined, true)],
  })
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64')
  const keyPem = `-----BEGIN ED25519 PRIVATE KEY-----\n${der}\n-----END ED25519 PRIVATE KEY-----\n`
  return {
    crt: Buffer.from(cert.toString('pem')).toString('base64'),
    key: Buffer.from(keyPem).toString('base64'),
  }
}

describe('virtual Talos certificates', () => {
  it('issues an apid certificate from the config’s OS CA for the node’s address', async () => {
    const config = await talosShapedCa()
    const ca = osCaFromConfig(config.crt, config.key)
    const identity = await issueServerIdentity(ca, '127.0.0.23', 'cp1')
    const cert = new NodeCertificate(identity.cert)
    const caCert = new NodeCertificate(ca.cert)
    expect(cert.checkIssued(caCert)).toBe(true)
    expect(cert.verify(caCert.publicKey)).toBe(true)
    expect(cert.checkIP('127.0.0.23')).toBe('127.0.0.23')
    expect(cert.checkHost('cp1')).toBe('cp1')
    expect(cert.publicKey.asymmetricKeyType).toBe('ed25519')
  })

  it('refuses a CA key that is not Ed25519 PEM', async () => {
    const config = await talosShapedCa()
    expect(() => osCaFromConfig(config.crt, Buffer.from('not a key').toString('base64'))).toThrow()
    expect(() => osCaFromConfig(Buffer.from('nope').toString('base64'), config.key)).toThrow(
      'machine.ca.crt is not a PEM certificate',
    )
  })

  it('fingerprints the maintenance certificate by its public key, as --cert-fingerprint checks it', async () => {
    const identity = await selfSignedIdentity('127.0.0.24')
    const thumbprint = await new X509Certificate(identity.cert).publicKey.getThumbprint('SHA-256')
    expect(spkiFingerprint(identity.cert)).toBe(Buffer.from(thumbprint).toString('base64'))
    expect(new NodeCertificate(identity.cert).checkIP('127.0.0.24')).toBe('127.0.0.24')
  })

  it('reads roles from the client certificate’s organizations', () => {
    expect([...rolesOf('os:admin')]).toEqual(['os:admin'])
    expect([...rolesOf(['os:reader', 'os:operator'])]).toEqual(['os:reader', 'os:operator'])
    expect(rolesOf(undefined).size).toBe(0)
  })
})
