// The TLS identities of a virtual Talos node. Talos signs everything with Ed25519: the OS CA of a
// machine config (`machine.ca`, base64 of PEM) holds its key as PKCS#8 under the PEM label
// "ED25519 PRIVATE KEY", which Node reads once relabelled. A maintenance node presents a fresh
// self-signed certificate and prints its fingerprint the way talosctl's --cert-fingerprint checks
// it: base64 of the SHA-256 of the certificate's SubjectPublicKeyInfo.
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata
// polyfill loaded before it.
import 'reflect-metadata'
import { createHash, createPrivateKey, webcrypto, X509Certificate as NodeCertificate } from 'node:crypto'
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  X509Certificate,
  X509CertificateGenerator,
} from '@peculiar/x509'

export interface TlsIdentity {
  cert: string
  key: string
}

export interface OsCa {
  /** PEM of the CA certificate, as clients and the server verify against it. */
  cert: string
  /** PEM of the CA's private key, standard PKCS#8 label. */
  key: string
}

const ed25519 = { name: 'Ed25519' }
const dayMs = 24 * 60 * 60 * 1000

/** The OS CA certificate from a config's base64 PEM; throws when it does not decode. */
export function osCaCertificate(crtBase64: string): string {
  const cert = Buffer.from(crtBase64, 'base64').toString('utf8')
  if (!cert.includes('-----BEGIN CERTIFICATE-----'))
    throw new Error('machine.ca.crt is not a PEM certificate')
  new NodeCertificate(cert)
  return cert
}

/** The OS CA with its key from a control plane config's base64 PEM strings; throws naming what does not decode. */
export function osCaFromConfig(crtBase64: string, keyBase64: string): OsCa {
  const cert = osCaCertificate(crtBase64)
  const key = Buffer.from(keyBase64, 'base64')
    .toString('utf8')
    .replace(/-----(BEGIN|END) ED25519 PRIVATE KEY-----/g, '-----$1 PRIVATE KEY-----')
  if (createPrivateKey(key).asymmetricKeyType !== 'ed25519')
    throw new Error('machine.ca.key is not an Ed25519 private key')
  return { cert, key }
}

/** A maintenance node's certificate: self-signed, valid for a day, good for any address. */
export async function selfSignedIdentity(address: string): Promise<TlsIdentity> {
  const keys = await generateKeys()
  const cert = await X509CertificateGenerator.createSelfSigned({
    name: 'O=talos-maintenance',
    keys,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + dayMs),
    signingAlgorithm: ed25519,
    extensions: serverExtensions(address),
  })
  return { cert: cert.toString('pem'), key: await privateKeyPem(keys.privateKey) }
}

/** A configured node's apid certificate, issued by the OS CA for the node's address. */
export async function issueServerIdentity(ca: OsCa, address: string, hostname: string): Promise<TlsIdentity> {
  const keys = await generateKeys()
  const caKey = await webcrypto.subtle.importKey(
    'pkcs8',
    createPrivateKey(ca.key).export({ format: 'der', type: 'pkcs8' }),
    ed25519,
    false,
    ['sign'],
  )
  const issuer = new X509Certificate(ca.cert)
  const cert = await X509CertificateGenerator.create({
    subject: `CN=${hostname}`,
    issuer: issuer.subject,
    publicKey: keys.publicKey,
    signingKey: caKey,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 365 * dayMs),
    signingAlgorithm: ed25519,
    extensions: serverExtensions(address, hostname),
  })
  return { cert: cert.toString('pem'), key: await privateKeyPem(keys.privateKey) }
}

/** base64(sha256(SubjectPublicKeyInfo)), what Talos prints and talosctl --cert-fingerprint takes. */
export function spkiFingerprint(certPem: string): string {
  const spki = new NodeCertificate(certPem).publicKey.export({ format: 'der', type: 'spki' })
  return createHash('sha256').update(spki).digest('base64')
}

/** Talos roles from a client certificate's Organization entries (os:admin, os:operator, os:reader…). */
export function rolesOf(organization: string | string[] | undefined): Set<string> {
  if (organization === undefined) return new Set()
  return new Set(Array.isArray(organization) ? organization : [organization])
}

function serverExtensions(address: string, hostname?: string) {
  return [
    new BasicConstraintsExtension(false, undefined, true),
    new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
    new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth]),
    new SubjectAlternativeNameExtension([
      { type: 'ip', value: address },
      ...(hostname ? [{ type: 'dns' as const, value: hostname }] : []),
    ]),
  ]
}

type KeyPair = webcrypto.CryptoKeyPair

async function generateKeys(): Promise<KeyPair> {
  return (await webcrypto.subtle.generateKey(ed25519, true, ['sign', 'verify'])) as KeyPair
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key))
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    .export({ format: 'pem', type: 'pkcs8' })
    .toString()
}
