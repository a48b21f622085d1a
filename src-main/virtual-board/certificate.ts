// The BMC's TLS identity: like /etc/bmcd/generate_self_signedx509.sh, a self-signed certificate
// with CN "Turing-Pi self signed", no subject alternative name and OpenSSL's default 30-day
// validity, so clients must pin it rather than verify it. The key is RSA 2048 rather than the
// device's 4096 bits to keep start-up fast.
import { X509Certificate } from 'node:crypto'
import { generate } from 'selfsigned'

export interface VirtualBoardCertificate {
  cert: string
  key: string
}

export const certificateCommonName = 'Turing-Pi self signed'

export async function createSelfSignedCertificate(): Promise<VirtualBoardCertificate> {
  const notBeforeDate = new Date()
  const notAfterDate = new Date(notBeforeDate.getTime() + 30 * 24 * 60 * 60 * 1000)
  const generated = await generate([{ name: 'commonName', value: certificateCommonName }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    // openssl req -x509 marks its certificate as a CA and adds no SAN.
    extensions: [{ name: 'basicConstraints', cA: true }],
  })
  return { cert: generated.cert, key: generated.private }
}

/** "AA:BB:…", the format of tls `getPeerCertificate().fingerprint256`. */
export function certificateFingerprint256(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256
}
