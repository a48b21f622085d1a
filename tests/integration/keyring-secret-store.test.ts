// Against the real Secret Service (gnome-keyring in the private D-Bus session `npm test` starts).
import { randomUUID } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { KeyringSecretStore } from '../../src-main/secrets/keyring-secret-store.ts'

const service = `clusterdeck-test-${randomUUID()}`

describe('KeyringSecretStore on the Secret Service', () => {
  const store = new KeyringSecretStore(service)

  it('reports the Secret Service as available', async () => {
    expect(await store.status()).toEqual({ backend: 'Secret Service', available: true })
  })

  it('saves, reads, replaces and deletes a secret', async () => {
    expect(await store.get('account-a')).toBeNull()
    await store.set('account-a', 'first')
    expect(await store.get('account-a')).toBe('first')
    await store.set('account-a', 'second ünïcode ✓')
    expect(await store.get('account-a')).toBe('second ünïcode ✓')
    expect(await store.delete('account-a')).toBe(true)
    expect(await store.get('account-a')).toBeNull()
    expect(await store.delete('account-a')).toBe(false)
  })

  it('really writes to the keyring, where secret-tool can see it', async () => {
    await store.set('account-b', 'visible-to-secret-tool')
    const value = execFileSync('secret-tool', ['lookup', 'service', service, 'username', 'account-b'], {
      encoding: 'utf8',
    })
    expect(value).toBe('visible-to-secret-tool')
    await store.delete('account-b')
  })
})
