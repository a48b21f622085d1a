// Sealed cluster secrets through the core, with the data key in the real Secret Service
// (gnome-keyring in the private D-Bus session `npm test` starts): a deploy on the virtual board
// creates the cluster record, secrets sealed through the cluster service are found nowhere in
// clear in the data directory (SQLite and its WAL, logs, sealed files), tampering is detected and
// a lost data key is named.
import { randomBytes, randomUUID } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAppCore, type AppCore } from '../../src-main/core/app-core.ts'
import { KeyringSecretStore } from '../../src-main/secrets/keyring-secret-store.ts'
import { clusterDataKeyAccount } from '../../src-main/secrets/sealed-secrets.ts'
import { startVirtualBoard, type VirtualBoard } from '../../src-main/virtual-board/virtual-board-server.ts'
import type { RequestInput, RequestName, RequestOutput } from '../../src-shared/contract/index.ts'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import { filesContaining } from '../support/find-in-files.ts'
import { imageBytes, sha256, writeImage } from '../support/make-image.ts'
import { makeTempDir } from '../support/temp-dir.ts'
import { saveBoard } from '../support/virtual-bmc.ts'

let board: VirtualBoard
let dir: ReturnType<typeof makeTempDir>
let dataDir: string
let core: AppCore
let imageSha: string
const keychain = new KeyringSecretStore(`clusterdeck-test-${randomUUID()}`)

async function call<N extends RequestName>(name: N, input: RequestInput<N>): Promise<RequestOutput<N>> {
  const result = await core.dispatch(name, input)
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`)
  return result.value as RequestOutput<N>
}

// Several KB each, like a Talos secrets bundle or a kubeconfig: over Windows' 2,560-byte limit.
const bundle = `cluster:\n  id: ${randomBytes(32).toString('base64')}\n  secret: ${randomBytes(3000).toString('base64')}\n`
const kubeconfig = `apiVersion: v1\nusers:\n- name: admin\n  user:\n    client-key-data: ${randomBytes(2400).toString('base64')}\n`

beforeAll(async () => {
  board = await startVirtualBoard({ firmware: '2.1', writeSpeedBytesPerSecond: 40e6, bootDelayMs: 100 })
  dir = makeTempDir()
  dataDir = join(dir.path, 'data')
  core = createAppCore({
    dataDir,
    secrets: keychain,
    transport: 'cli',
    flashPollIntervalMs: 50,
    bootPollMs: 100,
  })
  await saveBoard(core, board, 'rack-1')
  const raw = imageBytes(2 * 1024 * 1024, 5)
  imageSha = sha256(raw)
  await call('images.importFile', { path: writeImage(join(dir.path, 'talos-test-arm64.raw'), raw) })
  const profile = profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })
  profile.image = { cached: imageSha }
  profile.nodes = profile.nodes.slice(0, 2)
  profile.timeouts.bootSeconds = 20
  await call('profiles.save', { profile })
})

afterAll(async () => {
  const records = core ? await call('clusters.list', {}) : []
  for (const record of records) await keychain.delete(clusterDataKeyAccount(record.id))
  await core?.close()
  await board?.close()
  dir?.remove()
})

describe('cluster record and sealed secrets', () => {
  it('records what a deploy imaged, readable through the contract', async () => {
    const started = await call('lifecycle.deploy', { profile: 'lab', throughPhase: 'node-imaging' })
    expect((await core.lifecycle.settled(started.id)).state).toBe('done')
    const record = await call('clusters.get', { ref: 'lab' })
    expect(record).toMatchObject({ profileName: 'lab', lastRunId: started.id, apiEndpoint: null })
    expect(record.nodes.map((node) => [node.hostname, node.board, node.slot, node.imageSha256])).toEqual([
      ['turing-cp1', 'rack-1', 1, imageSha],
      ['turing-w1', 'rack-1', 2, imageSha],
    ])
    expect(await call('clusters.list', {})).toEqual([record])
  })

  it('seals secrets so that none is found in clear in the data directory', async () => {
    const { id } = await call('clusters.get', { ref: 'lab' })
    await core.clusters.sealSecret(id, 'talos-secrets', bundle)
    await core.clusters.sealSecret(id, 'kubeconfig', kubeconfig)

    const record = await call('clusters.get', { ref: 'lab' })
    expect(record.artifacts.map((artifact) => artifact.path)).toEqual([
      `clusters/${id}/secrets/talos-secrets.sealed`,
      `clusters/${id}/secrets/kubeconfig.sealed`,
    ])
    expect((await core.clusters.openSecret(id, 'kubeconfig')).toString()).toBe(kubeconfig)
    // The data key is in the Secret Service, and small.
    expect(Buffer.from((await keychain.get(clusterDataKeyAccount(id)))!, 'base64')).toHaveLength(32)

    // A fragment of each secret, anywhere: SQLite, its WAL, logs, sealed files, the image cache.
    for (const secret of [bundle, kubeconfig]) {
      const fragment = secret.slice(-200, -100)
      expect(filesContaining(dataDir, fragment)).toEqual([])
    }
    expect(filesContaining(dataDir, 'client-key-data')).toEqual([])
    // The search does read the database: the record's own facts are found there.
    expect(filesContaining(dataDir, `clusters/${id}/secrets/kubeconfig.sealed`).length).toBeGreaterThan(0)
  })

  it('detects a tampered sealed file and names it', async () => {
    const { id } = await call('clusters.get', { ref: 'lab' })
    const path = join(dataDir, 'clusters', id, 'secrets', 'talos-secrets.sealed')
    const original = readFileSync(path)
    const changed = Buffer.from(original)
    changed[100]! ^= 0x40
    writeFileSync(path, changed)
    await expect(core.clusters.openSecret(id, 'talos-secrets')).rejects.toMatchObject({
      code: 'tampered',
      message: expect.stringContaining('"talos-secrets"'),
    })
    writeFileSync(path, original)
    expect((await core.clusters.openSecret(id, 'talos-secrets')).toString()).toBe(bundle)
  })

  it('says which keychain entry is missing when the data key is gone', async () => {
    const { id } = await call('clusters.get', { ref: 'lab' })
    expect(await keychain.delete(clusterDataKeyAccount(id))).toBe(true)
    await expect(core.clusters.openSecret(id, 'kubeconfig')).rejects.toMatchObject({
      code: 'secrets_unavailable',
      message: expect.stringContaining(`is missing from the keychain (entry "cluster:${id}:data-key")`),
      hint: expect.stringContaining('Restore the keychain entry'),
    })
    await expect(core.clusters.sealSecret(id, 'k3s-token', 'K10::server:x')).rejects.toMatchObject({
      code: 'secrets_unavailable',
    })
  })
})
