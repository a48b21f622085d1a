// The per-cluster ed25519 key Clusterdeck generates. Returned, never written: the caller seals the
// private key (src-main/secrets/sealed-secrets.ts) and installs the public one on the nodes.
import ssh2 from 'ssh2'
import { publicKeyFingerprint } from './host-keys.ts'

export interface ClusterKey {
  /** OpenSSH private key format (`-----BEGIN OPENSSH PRIVATE KEY-----`), unencrypted: seal it. */
  privateKey: string
  /** One authorized_keys line: `ssh-ed25519 AAAA… comment`. */
  publicKey: string
  fingerprint: string
}

export function generateClusterKey(comment: string): ClusterKey {
  const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment })
  const publicKey = pair.public.trim()
  return { privateKey: pair.private, publicKey, fingerprint: publicKeyFingerprint(publicKey) }
}
