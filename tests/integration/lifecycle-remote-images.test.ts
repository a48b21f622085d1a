// The image-preparation phase with images that are not in the library yet: a plain URL and a
// Talos Image Factory image built from the longhorn preset. Both come from a local HTTP server (it
// plays the factory's /image/… endpoint too) through the download pipeline into the cache.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAppCore, type AppCore } from '../../src-main/core/app-core.ts'
import type { RequestInput, RequestName, RequestOutput } from '../../src-shared/contract/index.ts'
import type { ImageSource } from '../../src-shared/profiles/profile-schema.ts'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import { buildSchematic } from '../../src-shared/talos/schematic-builder.ts'
import { schematicId } from '../../src-shared/talos/schematic.ts'
import { startImageServer, type ImageServer } from '../support/image-server.ts'
import { imageBytes, pack, sha256, writeImage } from '../support/make-image.ts'
import { MemorySecretStore } from '../support/memory-secret-store.ts'
import { makeTempDir } from '../support/temp-dir.ts'

let server: ImageServer
let dir: ReturnType<typeof makeTempDir>
let core: AppCore
const raw = imageBytes(2 * 1024 * 1024, 33)

async function call<N extends RequestName>(name: N, input: RequestInput<N>): Promise<RequestOutput<N>> {
  const result = await core.dispatch(name, input)
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`)
  return result.value as RequestOutput<N>
}

beforeAll(async () => {
  server = await startImageServer()
  dir = makeTempDir()
  const packed = readFileSync(pack(writeImage(join(dir.path, 'remote.raw'), raw), 'xz'))
  server.files.set('/images/talos-remote.raw.xz', { body: packed, etag: '"v1"' })
  const id = await schematicId(buildSchematic({ board: 'turing-rk1', presets: ['longhorn'] }))
  server.files.set(`/image/${id}/v1.13.9/metal-arm64.raw.xz`, { body: packed, etag: '"f1"' })
  process.env.CLUSTERDECK_FACTORY_URL = server.url('')
  core = createAppCore({
    dataDir: join(dir.path, 'data'),
    secrets: new MemorySecretStore(),
    transport: 'cli',
  })
  delete process.env.CLUSTERDECK_FACTORY_URL
  await call('boards.add', {
    name: 'rack-1',
    address: 'https://127.0.0.1:9',
    user: 'root',
    password: 'unused',
  })
})

afterAll(async () => {
  await core.close()
  await server.close()
  dir.remove()
})

async function prepare(image: ImageSource) {
  const profile = profileFromTemplate('talos-rk1-longhorn', { name: 'remote', board: 'rack-1' })
  profile.image = image
  await call('profiles.save', { profile })
  const started = await call('lifecycle.deploy', { profile: 'remote', throughPhase: 'image-preparation' })
  return core.lifecycle.settled(started.id)
}

describe('image preparation with remote images', () => {
  it('downloads a URL image, checks its hash and unpacks it into the library', async () => {
    const url = server.url('/images/talos-remote.raw.xz')
    const run = await prepare({ url, sha256: sha256(server.files.get('/images/talos-remote.raw.xz')!.body) })
    expect(run.state).toBe('done')
    expect(run.steps[0]).toMatchObject({
      state: 'done',
      message: expect.stringMatching(/downloaded into the image library$/),
    })
    expect((await call('images.list', {})).map((image) => image.sha256)).toContain(sha256(raw))

    const again = await prepare({
      url,
      sha256: sha256(server.files.get('/images/talos-remote.raw.xz')!.body),
    })
    const log = await call('lifecycle.stepLog', { runId: again.id, stepId: again.steps[0]!.stepId })
    expect(log.log).toMatch(/is already in the library/)
    expect(server.requests.filter((r) => r.path === '/images/talos-remote.raw.xz')).toHaveLength(1)
  })

  it('refuses a download whose hash does not match, and keeps nothing', async () => {
    const before = (await call('images.list', {})).length
    const run = await prepare({
      url: server.url('/images/talos-remote.raw.xz?again'),
      sha256: 'ab'.repeat(32),
    })
    expect(run.state).toBe('failed')
    expect(run.steps[0]!.message).toMatch(/download of .* failed/)
    expect((await call('images.list', {})).length).toBe(before)
  })

  it('builds the factory URL from the preset, board and Talos version, and downloads it', async () => {
    const run = await prepare({ talosFactory: { schematic: 'longhorn', board: 'turing-rk1' } })
    expect(run.state, run.steps[0]!.message ?? '').toBe('done')
    const log = await call('lifecycle.stepLog', { runId: run.id, stepId: run.steps[0]!.stepId })
    expect(log.log).toMatch(/Talos v1\.13\.9, schematic 85f68390/)
    expect(
      server.requests.some((r) =>
        /^\/image\/85f68390[0-9a-f]+\/v1\.13\.9\/metal-arm64\.raw\.xz$/.test(r.path),
      ),
    ).toBe(true)
  })
})
