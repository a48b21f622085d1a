// Sealing with node:crypto into files, the data key in a (memory) keychain: what is on disk, what
// a changed or moved file does, what a lost key does. The real Secret Service is exercised in
// tests/integration/sealed-cluster-secrets.test.ts.
import { randomBytes } from 'node:crypto'
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MemorySecretStore } from '../../tests/support/memory-secret-store.ts'
import { makeTempDir } from '../../tests/support/temp-dir.ts'
import { clusterDataKeyAccount, SealedSecrets } from './sealed-secrets.ts'

let dir: ReturnType<typeof makeTempDir>
let keychain: MemorySecretStore
let sealed: SealedSecrets
const secret = `-----BEGIN TALOS SECRETS-----\n${randomBytes(4096).toString('base64')}\n`

beforeEach(() => {
  dir = makeTempDir()
  keychain = new MemorySecretStore()
  sealed = new SealedSecrets(dir.path, keychain)
})
afterEach(() => dir.remove())

describe('sealed cluster secrets', () => {
  it('seals into a private file holding no clear text, and opens it again', async () => {
    const path = await sealed.seal('c-1', 'talos-secrets', secret)
    expect(path).toBe(join('clusters', 'c-1', 'secrets', 'talos-secrets.sealed'))
    const file = readFileSync(join(dir.path, path))
    expect(file.includes(Buffer.from(secret.slice(40, 80)))).toBe(false)
    expect(statSync(join(dir.path, path)).mode & 0o777).toBe(0o600)
    expect(statSync(join(dir.path, 'clusters', 'c-1', 'secrets')).mode & 0o777).toBe(0o700)
    expect((await sealed.open('c-1', 'talos-secrets')).toString()).toBe(secret)
    // Only the 32-byte key is in the keychain, small enough for every keychain.
    expect(Buffer.from(keychain.secrets.get(clusterDataKeyAccount('c-1'))!, 'base64')).toHaveLength(32)
    expect(sealed.list('c-1')).toEqual(['talos-secrets'])
  })

  it('detects a changed file', async () => {
    const path = join(dir.path, await sealed.seal('c-1', 'kubeconfig', secret))
    const file = readFileSync(path)
    file[file.length - 10]! ^= 0x01
    writeFileSync(path, file)
    await expect(sealed.open('c-1', 'kubeconfig')).rejects.toMatchObject({
      code: 'tampered',
      message: expect.stringMatching(/"kubeconfig" of cluster c-1 was changed/),
    })
    writeFileSync(path, file.subarray(0, 20))
    await expect(sealed.open('c-1', 'kubeconfig')).rejects.toMatchObject({ code: 'tampered' })
  })

  it('binds a file to its cluster and name: one copied over another does not open', async () => {
    await sealed.seal('c-1', 'kubeconfig', 'admin credentials')
    await sealed.seal('c-1', 'k3s-token', 'a join token')
    const secrets = join(dir.path, 'clusters', 'c-1', 'secrets')
    copyFileSync(join(secrets, 'kubeconfig.sealed'), join(secrets, 'k3s-token.sealed'))
    await expect(sealed.open('c-1', 'k3s-token')).rejects.toMatchObject({ code: 'tampered' })
  })

  it('says clearly when the data key is gone, and will not seal over files it could not open', async () => {
    await sealed.seal('c-1', 'kubeconfig', secret)
    keychain.secrets.delete(clusterDataKeyAccount('c-1'))
    const missing = {
      code: 'secrets_unavailable',
      message: expect.stringMatching(
        /data key of cluster c-1 is missing from the keychain \(entry "cluster:c-1:data-key"\), so its sealed secrets \(kubeconfig\) cannot be opened/,
      ),
    }
    await expect(sealed.open('c-1', 'kubeconfig')).rejects.toMatchObject(missing)
    await expect(sealed.seal('c-1', 'talosconfig', secret)).rejects.toMatchObject(missing)
    expect(sealed.list('c-1')).toEqual(['kubeconfig'])
  })

  it('refuses names and ids that would leave the cluster folder', async () => {
    await expect(sealed.seal('c-1', '../boards', 'x')).rejects.toMatchObject({ code: 'invalid_input' })
    await expect(sealed.seal('../c-1', 'kubeconfig', 'x')).rejects.toMatchObject({ code: 'invalid_input' })
    expect(keychain.secrets.size).toBe(0)
  })

  it('forgets a cluster: files and data key', async () => {
    await sealed.seal('c-1', 'kubeconfig', secret)
    await sealed.forget('c-1')
    expect(sealed.list('c-1')).toEqual([])
    expect(keychain.secrets.size).toBe(0)
  })
})
