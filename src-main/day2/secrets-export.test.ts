import { generateX25519Identity, identityToRecipient } from 'age-encryption'
import { describe, expect, it } from 'vitest'
import type { ClusterRecord } from '../../src-shared/clusters/cluster-schema.ts'
import { exportSecrets, openSecretsExport, verifySecretsExport } from './secrets-export.ts'

const record = {
  id: 'c-1',
  profileName: 'lab',
  distribution: 'talos',
} as ClusterRecord

const sealed: Record<string, string> = {
  'talos-secrets': 'secrets:\n  bootstraptoken: abcdef.0123456789abcdef\n',
  talosconfig: 'context: lab\ncontexts:\n  lab:\n    key: S0VZLW9mLXRoZS1jbGllbnQ=\n',
  kubeconfig: 'apiVersion: v1\nkind: Config\n',
}
const open = async (name: string) => sealed[name] ?? null

describe('the secrets export', () => {
  it('encrypts the sealed files to a passphrase: the right one opens it, a wrong one does not', async () => {
    // A low work factor keeps the test fast; the export itself uses age's 18.
    const { content, summary } = await exportSecrets(
      record,
      open,
      { passphrase: 'a long enough passphrase' },
      10,
    )
    expect(summary.names).toEqual(['talos-secrets', 'talosconfig', 'kubeconfig'])
    expect(content).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----/)
    for (const value of Object.values(sealed)) expect(content).not.toContain(value.trim())
    await expect(
      verifySecretsExport(content, { passphrase: 'a long enough passphrase\n' }),
    ).resolves.toMatchObject({
      cluster: 'lab',
      names: ['talos-secrets', 'talosconfig', 'kubeconfig'],
    })
    // A restore takes the files themselves.
    expect((await openSecretsExport(content, { passphrase: 'a long enough passphrase' })).files).toEqual(
      sealed,
    )
    await expect(verifySecretsExport(content, { passphrase: 'another passphrase' })).rejects.toThrow(
      /could not be decrypted with that passphrase/,
    )
  })

  it('encrypts to an age recipient, which only its identity opens', async () => {
    const identity = await generateX25519Identity()
    const other = await generateX25519Identity()
    const { content } = await exportSecrets(record, open, {
      ageRecipient: await identityToRecipient(identity),
    })
    await expect(verifySecretsExport(content, { identity })).resolves.toMatchObject({ cluster: 'lab' })
    await expect(verifySecretsExport(content, { identity: other })).rejects.toThrow(/could not be decrypted/)
  })

  it('refuses a short passphrase, a bad recipient and a cluster without its secrets bundle', async () => {
    await expect(exportSecrets(record, open, { passphrase: 'short' })).rejects.toThrow(/shorter than 12/)
    await expect(exportSecrets(record, open, { ageRecipient: 'age1nope' })).rejects.toThrow(
      /"age1nope" is not an age recipient/,
    )
    await expect(
      exportSecrets(record, async (name) => (name === 'talos-secrets' ? null : (sealed[name] ?? null)), {
        passphrase: 'a long enough passphrase',
      }),
    ).rejects.toThrow(/"lab" has no sealed talos-secrets to export/)
  })
})
