// The Image Factory client and service against a local server imitating the factory's API: the
// catalogue and its offline cache, POST /schematics confirming offline IDs, the factory's errors,
// a hanging factory, and saved schematics in a real SQLite file.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { TalosFactoryClient } from '../../src-main/images/talos-factory-client.ts'
import { TalosFactoryService } from '../../src-main/images/talos-factory-service.ts'
import { openDatabase, type Db } from '../../src-main/store/database.ts'
import { buildSchematic } from '../../src-shared/talos/schematic-builder.ts'
import { canonicalSchematic, parseSchematic, schematicId } from '../../src-shared/talos/schematic.ts'
import { closedPort } from '../support/closed-port.ts'
import { startFakeImageFactory, type FakeImageFactory } from '../support/fake-image-factory.ts'
import { makeTempDir } from '../support/temp-dir.ts'
import { rejection } from '../support/app-error.ts'

const longhorn = '613e1592b2da41ae5e265e8789429f22e121aab91cb4deb6bc3c0b6262961245'

let factory: FakeImageFactory
beforeAll(async () => {
  factory = await startFakeImageFactory()
})
afterAll(() => factory.close())
afterEach(() => {
  factory.behaviour = 'normal'
})

describe('TalosFactoryClient', () => {
  it('lists versions, official extensions and overlays', async () => {
    const client = new TalosFactoryClient({ baseUrl: factory.url })
    expect(await client.versions()).toContain('v1.9.2')
    const extensions = await client.extensions('1.9.2')
    expect(extensions.map((e) => e.name)).toEqual([
      'siderolabs/iscsi-tools',
      'siderolabs/util-linux-tools',
      'siderolabs/nfs-utils',
    ])
    expect(extensions[0]).toMatchObject({
      ref: 'ghcr.io/siderolabs/iscsi-tools:v0.1.6',
      author: 'Sidero Labs',
    })
    expect((await client.overlays('v1.9.2')).map((o) => o.name)).toEqual(['turingrk1', 'rpi_generic'])
    expect(factory.requests).toContain('GET /version/v1.9.2/extensions/official')
  })

  it('posts schematics and gets the IDs computed offline', async () => {
    const client = new TalosFactoryClient({ baseUrl: factory.url })
    const schematics = [
      parseSchematic({}),
      buildSchematic({ board: 'metal-amd64', presets: ['longhorn'] }),
      buildSchematic({
        board: 'turing-rk1',
        presets: ['longhorn-nfs'],
        kernelArgs: 'net.ifnames=0',
        network: { address: '10.0.0.11/24', link: 'end0', gateway: '10.0.0.1', hostname: 'rk1-1' },
      }),
    ]
    for (const schematic of schematics) {
      const answer = await client.postSchematic(canonicalSchematic(schematic).yaml)
      expect(answer.id).toBe(await schematicId(schematic))
      expect(answer.schematic).toBe(canonicalSchematic(schematic).yaml)
    }
  })

  it("passes the factory's plain-text errors on as typed errors", async () => {
    const client = new TalosFactoryClient({ baseUrl: factory.url })
    const bad = await rejection(client.postSchematic('customization:\n  foo: 1\n'))
    expect(bad.code).toBe('invalid_input')
    expect(bad.message).toMatch(
      /^The Image Factory could not register the schematic: yaml: unmarshal errors:/,
    )
    const unknown = await rejection(client.extensions('v0.0.1'))
    expect(unknown).toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('not found (HTTP 404)'),
    })
    expect(unknown.hint).toMatch(/Talos version/)
    factory.behaviour = 'error-500'
    const broken = await rejection(client.versions())
    expect(broken).toMatchObject({
      code: 'factory_error',
      message: expect.stringContaining('internal server error (HTTP 500)'),
    })
    expect(broken.hint).toMatch(/try again/)
  })

  it('gives up on a factory that does not answer', async () => {
    factory.behaviour = 'hang'
    const client = new TalosFactoryClient({ baseUrl: factory.url, timeoutMs: 300 })
    const started = Date.now()
    const error = await rejection(client.versions())
    expect(error.code).toBe('timeout')
    expect(error.message).toMatch(/did not answer within 0.3 s/)
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it('says when the factory cannot be reached', async () => {
    const client = new TalosFactoryClient({ baseUrl: `http://127.0.0.1:${await closedPort()}` })
    const error = await rejection(client.versions())
    expect(error.code).toBe('network_unreachable')
    expect(error.message).toMatch(/ECONNREFUSED/)
    expect(error.hint).toMatch(/offline/)
  })
})

describe('TalosFactoryService', () => {
  let home: ReturnType<typeof makeTempDir>
  let db: Db
  beforeAll(() => {
    home = makeTempDir()
    db = openDatabase(home.path)
  })
  afterAll(() => {
    db.close()
    home.remove()
  })

  it('serves the catalogue from its cache when the factory is down, and says so', async () => {
    const service = new TalosFactoryService(db, new TalosFactoryClient({ baseUrl: factory.url }))
    const fresh = await service.versions(true)
    expect(fresh).toMatchObject({ source: 'factory', unavailable: null })
    expect(fresh.versions.map((v) => v.version)).toEqual([
      'v1.12.3',
      'v1.10.0-alpha.1',
      'v1.9.2',
      'v1.9.1',
      'v1.9.0-beta.0',
      'v1.8.3',
    ])
    expect(fresh.versions[1]).toEqual({ version: 'v1.10.0-alpha.1', prerelease: true })
    await service.extensions('v1.9.2', true)

    factory.behaviour = 'error-500'
    const stale = await service.versions(true)
    expect(stale.source).toBe('cache')
    expect(stale.unavailable).toMatch(/Could not fetch the Talos versions .*HTTP 500.*showing the copy from/)
    expect(stale.versions).toEqual(fresh.versions)
    const extensions = await service.extensions('1.9.2', true)
    expect(extensions).toMatchObject({ source: 'cache', version: 'v1.9.2' })
    expect(extensions.extensions).toHaveLength(3)
    const never = await rejection(service.extensions('v1.12.3', true))
    expect(never.message).toMatch(/has never fetched the extensions for Talos v1.12.3/)
  })

  it('answers from the cache without asking while it is fresh', async () => {
    const service = new TalosFactoryService(db, new TalosFactoryClient({ baseUrl: factory.url }))
    await service.overlays('v1.9.2', true)
    const before = factory.requests.length
    expect((await service.overlays('v1.9.2')).source).toBe('cache')
    expect(factory.requests.length).toBe(before)
  })

  it('resolves a schematic: offline ID, factory confirmation, image URL and installer', async () => {
    const service = new TalosFactoryService(db, new TalosFactoryClient({ baseUrl: factory.url }))
    const schematic = buildSchematic({ board: 'metal-arm64', presets: ['longhorn'] })
    const resolved = await service.resolve({ schematic, talosVersion: '1.9.2', arch: 'arm64' })
    expect(resolved).toMatchObject({
      id: longhorn,
      confirmedId: longhorn,
      effectiveId: longhorn,
      mismatch: false,
      offline: false,
      uncertain: [],
      imageUrl: `${factory.url}/image/${longhorn}/v1.9.2/metal-arm64.raw.zst`,
      installerImage: `${new URL(factory.url).host}/metal-installer/${longhorn}:v1.9.2`,
    })
    const rk1 = await service.resolve({
      schematic: buildSchematic({ board: 'turing-rk1', presets: ['longhorn'] }),
      talosVersion: 'v1.9.2',
      arch: 'arm64',
    })
    expect(rk1.imageUrl).toMatch(
      /\/85f683902139269fbc5a7f64ea94a694d31e0b3d94347a225223fcbd042083ae\/v1.9.2\/metal-arm64.raw.xz$/,
    )
    await expect(
      service.resolve({
        schematic: buildSchematic({ board: 'turing-rk1' }),
        talosVersion: 'v1.9.2',
        arch: 'amd64',
      }),
    ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('only for arm64') })
  })

  it('shows a mismatch and uses the factory’s ID', async () => {
    factory.behaviour = 'wrong-id'
    const service = new TalosFactoryService(db, new TalosFactoryClient({ baseUrl: factory.url }))
    const schematic = parseSchematic({ customization: { extraKernelArgs: ['mismatch-test'] } })
    const resolved = await service.resolve({ schematic, talosVersion: 'v1.9.2', arch: 'amd64' })
    expect(resolved.mismatch).toBe(true)
    expect(resolved.confirmedId).not.toBe(resolved.id)
    expect(resolved.effectiveId).toBe(resolved.confirmedId)
    expect(resolved.imageUrl).toContain(resolved.confirmedId)
  })

  it('works offline with the ID computed here, and remembers earlier confirmations', async () => {
    const service = new TalosFactoryService(
      db,
      new TalosFactoryClient({ baseUrl: factory.url, timeoutMs: 300 }),
    )
    const known = buildSchematic({ board: 'metal-arm64', presets: ['longhorn'] })
    const unknown = parseSchematic({ customization: { extraKernelArgs: ['never-confirmed'] } })
    factory.behaviour = 'hang'
    const remembered = await service.resolve({ schematic: known })
    expect(remembered).toMatchObject({ confirmedId: longhorn, offline: false, imageUrl: null })
    const offline = await service.resolve({ schematic: unknown, talosVersion: 'v1.9.2', arch: 'amd64' })
    expect(offline).toMatchObject({ confirmedId: null, offline: true, mismatch: false })
    expect(offline.factoryProblem).toMatch(/did not answer/)
    expect(offline.effectiveId).toBe(offline.id)
    expect(offline.imageUrl).toContain(offline.id)
  })

  it('saves, lists, replaces and removes schematics', async () => {
    const service = new TalosFactoryService(db, new TalosFactoryClient({ baseUrl: factory.url }))
    const saved = await service.saveSchematic(
      'rk1 longhorn',
      buildSchematic({ board: 'turing-rk1', presets: ['longhorn'] }),
    )
    expect(saved).toMatchObject({
      name: 'rk1 longhorn',
      id: '85f683902139269fbc5a7f64ea94a694d31e0b3d94347a225223fcbd042083ae',
      confirmedId: '85f683902139269fbc5a7f64ea94a694d31e0b3d94347a225223fcbd042083ae',
      mismatch: false,
    })
    factory.behaviour = 'error-500'
    const offline = await service.saveSchematic(
      'vm',
      parseSchematic({ customization: { extraKernelArgs: ['saved-offline'] } }),
    )
    expect(offline.confirmedId).toBeNull()
    factory.behaviour = 'normal'
    await service.saveSchematic('RK1 longhorn', buildSchematic({ board: 'turing-rk1' }))
    const list = service.listSchematics()
    expect(list.map((s) => s.name)).toEqual(['rk1 longhorn', 'vm'])
    expect(list[0]!.id).toBe('df156b82096feda49406ac03aa44e0ace524b7efe4e1f0e144a1e1ae3930f1c0')
    expect(service.removeSchematic('VM')).toEqual({ removed: true })
    expect(service.removeSchematic('vm')).toEqual({ removed: false })
  })
})
