// The offsite copy of a cluster's secrets (docs/backups.md): the sealed files a rebuild needs —
// the Talos secrets bundle, talosconfig, kubeconfig and, when sealed, the K3s token and the SSH
// key — as one JSON document encrypted with age (the age-encryption package: scrypt for a
// passphrase, X25519 for a recipient) and ASCII-armored, so `age -d` reads it too. `verify`
// decrypts a file and checks what it holds. The secrets never leave this module in clear except
// as the decrypted bundle's names.
import { armor, Decrypter, Encrypter } from 'age-encryption'
import { z } from 'zod'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'
import type { ClusterRecord } from '../../src-shared/clusters/cluster-schema.ts'

const bundleFormat = 'clusterdeck-secrets/v1'

/** What a rebuild needs, in the order listed; missing optional ones are left out. */
export const exportedNames = [
  sealedNames.talosSecrets,
  sealedNames.talosconfig,
  sealedNames.kubeconfig,
  'k3s-token',
  'ssh-key',
] as const

const bundleSchema = z.object({
  format: z.literal(bundleFormat),
  cluster: z.string(),
  clusterId: z.string(),
  distribution: z.enum(['talos', 'k3s']),
  createdAt: z.string(),
  files: z.record(z.string(), z.string()),
})

export type ExportKey = { passphrase: string } | { ageRecipient: string }

export interface SecretsSummary {
  cluster: string
  distribution: 'talos' | 'k3s'
  createdAt: string
  names: string[]
}

/** The armored age file holding the cluster's secrets, and what it holds. */
export async function exportSecrets(
  record: ClusterRecord,
  open: (name: string) => Promise<string | null>,
  key: ExportKey,
  /** scrypt's log2 work factor for a passphrase: age's 18 by default; unit tests lower it. */
  scryptWorkFactor = 18,
): Promise<{ content: string; summary: SecretsSummary }> {
  const files: Record<string, string> = {}
  for (const name of exportedNames) {
    const value = await open(name)
    if (value !== null) files[name] = value
  }
  const required = record.distribution === 'talos' ? [sealedNames.talosSecrets, sealedNames.talosconfig] : []
  const missing = required.filter((name) => !(name in files))
  if (Object.keys(files).length === 0 || missing.length > 0) {
    throw new AppError(
      'not_found',
      `"${record.profileName}" has no sealed ${missing.length ? missing.join(', ') : 'secrets'} to export.`,
      'Deploy the cluster through its bootstrap first.',
    )
  }
  const encrypter = new Encrypter()
  if ('passphrase' in key) {
    encrypter.setPassphrase(checkedPassphrase(key.passphrase))
    encrypter.setScryptWorkFactor(scryptWorkFactor)
  } else {
    try {
      encrypter.addRecipient(key.ageRecipient.trim())
    } catch (error) {
      throw new AppError(
        'invalid_input',
        `"${key.ageRecipient}" is not an age recipient: ${(error as Error).message}.`,
        'Give the public key that age-keygen printed (age1…).',
      )
    }
  }
  const createdAt = new Date().toISOString()
  const bundle = {
    format: bundleFormat,
    cluster: record.profileName,
    clusterId: record.id,
    distribution: record.distribution,
    createdAt,
    files,
  }
  const encrypted = await encrypter.encrypt(JSON.stringify(bundle))
  return {
    content: armor.encode(encrypted),
    summary: {
      cluster: record.profileName,
      distribution: record.distribution,
      createdAt,
      names: Object.keys(files),
    },
  }
}

function checkedPassphrase(passphrase: string): string {
  const trimmed = passphrase.replace(/\r?\n$/, '')
  if (trimmed.length < 12) {
    throw new AppError(
      'invalid_input',
      'The passphrase is shorter than 12 characters; nothing was exported.',
      'Choose a longer passphrase (several words), or encrypt to an age recipient instead.',
    )
  }
  return trimmed
}

/** Decrypts an export and checks it holds a cluster's secrets; returns what it holds (never the values). */
export async function verifySecretsExport(
  content: string,
  key: { passphrase: string } | { identity: string },
): Promise<SecretsSummary> {
  return (await openSecretsExport(content, key)).summary
}

/** Decrypts and checks an export: what it holds, and the files themselves (for a restore to seal). */
export async function openSecretsExport(
  content: string,
  key: { passphrase: string } | { identity: string },
): Promise<{ summary: SecretsSummary; files: Record<string, string> }> {
  let encrypted: Uint8Array
  try {
    encrypted = content.includes('-----BEGIN AGE ENCRYPTED FILE-----')
      ? armor.decode(content)
      : new TextEncoder().encode(content)
  } catch (error) {
    throw new AppError('invalid_input', `The file is not an age file: ${(error as Error).message}.`)
  }
  const decrypter = new Decrypter()
  if ('passphrase' in key) decrypter.addPassphrase(key.passphrase.replace(/\r?\n$/, ''))
  else decrypter.addIdentity(key.identity.trim())
  let text: string
  try {
    text = await decrypter.decrypt(encrypted, 'text')
  } catch {
    throw new AppError(
      'invalid_input',
      'The file could not be decrypted with that passphrase or identity (or it was changed).',
      'Check the passphrase or identity file; a changed file cannot be recovered.',
    )
  }
  const parsed = bundleSchema.safeParse(JSON.parse(text))
  if (!parsed.success) {
    throw new AppError('invalid_input', 'The file decrypts, but it is not a Clusterdeck secrets export.')
  }
  const { cluster, distribution, createdAt, files } = parsed.data
  const required =
    distribution === 'talos' ? [sealedNames.talosSecrets, sealedNames.talosconfig] : ['k3s-token']
  const missing = required.filter((name) => !files[name]?.trim())
  if (missing.length > 0) {
    throw new AppError('invalid_input', `The export of "${cluster}" lacks ${missing.join(', ')}.`)
  }
  // Only the names an export is made of: nothing else is sealed from it.
  const known = Object.fromEntries(
    Object.entries(files).filter(([name]) => (exportedNames as readonly string[]).includes(name)),
  )
  return { summary: { cluster, distribution, createdAt, names: Object.keys(known) }, files: known }
}
