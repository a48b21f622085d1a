// Downloads into the image cache against a local HTTP server that supports ranges and ETags and
// misbehaves on request: cut connections resume with Range, a changed file or a server without
// ranges starts over, a wrong checksum keeps nothing, and offline errors say what and why.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { DownloadJob } from '../../src-shared/images/download-schemas.ts'
import { EventBus } from '../../src-main/core/event-bus.ts'
import { DownloadService } from '../../src-main/images/download-service.ts'
import { ImageCache } from '../../src-main/images/image-cache.ts'
import { openDatabase, type Db } from '../../src-main/store/database.ts'
import { closedPort } from '../support/closed-port.ts'
import { startImageServer, type ImageServer } from '../support/image-server.ts'
import { imageBytes, pack, sha256, writeImage } from '../support/make-image.ts'
import { makeTempDir } from '../support/temp-dir.ts'

let server: ImageServer
let dir: ReturnType<typeof makeTempDir>
let db: Db
let cache: ImageCache
let events: EventBus
let service: DownloadService
let progress: DownloadJob[]
let dataDir: string
let services: DownloadService[]

const raw = imageBytes(3 * 1024 * 1024 + 777, 21)

beforeAll(async () => {
  server = await startImageServer()
})
afterAll(() => server.close())

beforeEach(() => {
  dir = makeTempDir()
  dataDir = join(dir.path, 'data')
  db = openDatabase(dataDir)
  cache = new ImageCache(db, dataDir)
  events = new EventBus()
  progress = []
  services = []
  events.onAny((name, payload) => {
    if (name === 'images.downloadProgress') progress.push(payload as DownloadJob)
  })
  service = newService()
  server.requests.length = 0
  server.files.clear()
})

afterEach(async () => {
  for (const each of services) await each.close()
  db.close()
  dir.remove()
})

function newService(options: Partial<ConstructorParameters<typeof DownloadService>[0]> = {}) {
  const created = new DownloadService({
    db,
    cache,
    dataDir,
    events,
    timeoutMs: 2000,
    retryDelayMs: 10,
    ...options,
  })
  services.push(created)
  return created
}

function staging(): string[] {
  return readdirSync(join(dataDir, 'downloads'))
}

function cacheFiles(): string[] {
  return readdirSync(cache.dir).filter((name) => name.endsWith('.img'))
}

async function pull(request: Parameters<DownloadService['pull']>[0], using = service): Promise<DownloadJob> {
  const job = using.pull(request)
  return using.wait(job.id)
}

describe('downloads', () => {
  it('downloads, verifies against a given hash and unpacks an .xz into the cache', async () => {
    const packedPath = pack(writeImage(join(dir.path, 'talos.raw'), raw), 'xz')
    const packed = readFileSync(packedPath)
    server.files.set('/talos.raw.xz', { body: packed, trickle: { chunkBytes: 64 * 1024, everyMs: 25 } })
    const job = await pull({ url: server.url('/talos.raw.xz'), sha256: sha256(packed) })
    expect(job).toMatchObject({ state: 'done', imageSha256: sha256(raw), checksum: { source: 'given' } })
    expect(cache.find(sha256(raw))).toMatchObject({
      name: 'talos.raw',
      packedSha256: sha256(packed),
      sourceUrl: server.url('/talos.raw.xz'),
    })
    expect(readFileSync(cache.pathOf(sha256(raw))).equals(raw)).toBe(true)
    expect(staging()).toEqual([])
    const downloading = progress.filter((p) => p.state === 'downloading')
    expect(downloading.at(-1)!.progress.bytesTotal).toBe(packed.length)
    expect(downloading.some((p) => p.progress.bytesPerSecond > 0)).toBe(true)
    expect(progress.map((p) => p.state)).toEqual(
      expect.arrayContaining(['queued', 'downloading', 'importing', 'done']),
    )
  })

  it('continues with Range after the connection drops midway, and ends with the right hash', async () => {
    server.files.set('/node.img', { body: raw, dropAfterBytes: 1024 * 1024, dropTimes: 2 })
    const job = await pull({ url: server.url('/node.img'), sha256: sha256(raw) })
    expect(job).toMatchObject({ state: 'done', imageSha256: sha256(raw) })
    const ranged = server.requests.filter((r) => r.path === '/node.img' && r.range)
    expect(ranged.length).toBeGreaterThanOrEqual(1)
    // Bytes still in flight when the socket dies may be lost: the file on disk decides the offset.
    expect(ranged[0]).toMatchObject({
      range: expect.stringMatching(/^bytes=[1-9]\d*-$/),
      status: 206,
      ifRange: expect.stringMatching(/^"/),
    })
    expect(staging()).toEqual([])
  })

  it('resumes after a restart: a new service continues from the bytes on disk', async () => {
    server.files.set('/node.img', { body: raw, dropAfterBytes: 2 * 1024 * 1024, dropTimes: 1 })
    const first = newService({ retries: 0 })
    const failed = await pull({ url: server.url('/node.img') }, first)
    expect(failed).toMatchObject({ state: 'failed', resumable: true, error: { code: 'download_failed' } })
    await first.close()
    expect(staging()).toEqual([`${failed.id}.part`])
    const onDisk = statSync(join(dataDir, 'downloads', `${failed.id}.part`)).size
    expect(onDisk).toBeGreaterThan(0)

    // The app restarts: a fresh service over the same database lists and resumes the download.
    const restarted = newService()
    expect(restarted.list()[0]).toMatchObject({ id: failed.id, state: 'failed', resumable: true })
    const job = await pull({ url: server.url('/node.img'), sha256: sha256(raw) }, restarted)
    await restarted.close()
    expect(job).toMatchObject({
      id: failed.id,
      state: 'done',
      imageSha256: sha256(raw),
      resumedFromBytes: onDisk,
    })
    expect(server.requests.at(-1)).toMatchObject({ range: `bytes=${onDisk}-`, status: 206 })
  })

  it('starts over when the file changed between attempts (If-Range)', async () => {
    server.files.set('/node.img', { body: raw, etag: '"v1"', dropAfterBytes: 1024 * 1024, dropTimes: 1 })
    const first = await pull({ url: server.url('/node.img') }, newService({ retries: 0 }))
    expect(first.state).toBe('failed')
    const changed = imageBytes(raw.length - 4096, 99)
    server.files.set('/node.img', { body: changed, etag: '"v2"' })
    const job = await pull({ url: server.url('/node.img'), sha256: sha256(changed) })
    expect(job).toMatchObject({ state: 'done', imageSha256: sha256(changed), resumedFromBytes: 0 })
    expect(server.requests.at(-1)).toMatchObject({
      range: expect.stringMatching(/^bytes=[1-9]\d*-$/),
      ifRange: '"v1"',
      status: 200,
    })
  })

  it('starts over when a server without validators sends a different length', async () => {
    server.files.set('/plain.img', {
      body: raw,
      etag: null,
      lastModified: null,
      dropAfterBytes: 1024 * 1024,
      dropTimes: 1,
    })
    await pull({ url: server.url('/plain.img') }, newService({ retries: 0 }))
    const changed = imageBytes(raw.length + 8192, 5)
    server.files.set('/plain.img', { body: changed, etag: null, lastModified: null })
    const job = await pull({ url: server.url('/plain.img') })
    expect(job).toMatchObject({ state: 'done', imageSha256: sha256(changed) })
    expect(server.requests.filter((r) => r.path === '/plain.img').map((r) => r.status)).toEqual([
      200, 206, 200,
    ])
  })

  it('starts over when the server ignores Range', async () => {
    server.files.set('/norange.img', {
      body: raw,
      ignoreRange: true,
      dropAfterBytes: 1024 * 1024,
      dropTimes: 1,
    })
    const job = await pull({ url: server.url('/norange.img'), sha256: sha256(raw) })
    expect(job).toMatchObject({ state: 'done', imageSha256: sha256(raw) })
    expect(server.requests.map((r) => [r.range ?? null, r.status])).toEqual([
      [null, 200],
      [expect.stringMatching(/^bytes=[1-9]\d*-$/), 200],
    ])
  })

  it('rejects a wrong checksum and keeps nothing in the cache or in staging', async () => {
    server.files.set('/evil.img', { body: raw })
    const job = await pull({ url: server.url('/evil.img'), sha256: 'ab'.repeat(32) })
    expect(job).toMatchObject({
      state: 'failed',
      resumable: false,
      error: {
        code: 'checksum_mismatch',
        message: expect.stringContaining('does not match its published checksum'),
      },
    })
    expect(cacheFiles()).toEqual([])
    expect(cache.list()).toEqual([])
    expect(staging()).toEqual([])
    expect(readdirSync(cache.incoming)).toEqual([])
  })

  it('verifies against a .sha256 companion file, and rejects when it disagrees', async () => {
    server.files.set('/good.img', { body: raw })
    server.files.set('/good.img.sha256', { body: Buffer.from(`${sha256(raw)}  good.img\n`) })
    expect(await pull({ url: server.url('/good.img') })).toMatchObject({
      state: 'done',
      checksum: { source: 'checksum-file', sha256: sha256(raw), url: server.url('/good.img.sha256') },
    })
    server.files.set('/bad.img', { body: imageBytes(1024 * 1024, 3) })
    server.files.set('/bad.img.sha', { body: Buffer.from(`${'cd'.repeat(32)} *bad.img\n`) })
    expect(await pull({ url: server.url('/bad.img') })).toMatchObject({
      state: 'failed',
      error: { code: 'checksum_mismatch' },
    })
    expect(cache.list().map((image) => image.name)).toEqual(['good.img'])
    expect(staging()).toEqual([])
  })

  it('imports an image without a published checksum and says it was not verified', async () => {
    server.files.set('/factory.raw', { body: raw })
    expect(await pull({ url: server.url('/factory.raw') })).toMatchObject({
      state: 'done',
      checksum: { source: 'none' },
    })
  })

  it('times out on a server that never answers', async () => {
    server.files.set('/hang.img', { hang: true, body: raw })
    const started = Date.now()
    const job = await pull(
      { url: server.url('/hang.img'), sha256: sha256(raw) },
      newService({ timeoutMs: 300 }),
    )
    expect(job).toMatchObject({
      state: 'failed',
      error: { code: 'timeout', message: expect.stringContaining('did not answer within 0.3 s') },
    })
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('says the connection was refused, offline, and the library keeps working', async () => {
    const port = await closedPort()
    const job = await pull({ url: `http://127.0.0.1:${port}/x.img`, sha256: sha256(raw) })
    expect(job.error).toMatchObject({
      code: 'network_unreachable',
      message: `Could not fetch x.img: 127.0.0.1:${port} refused the connection.`,
      details: { reason: 'refused' },
    })
    expect(cache.list()).toEqual([])
  })

  it('says when a host name does not resolve', async () => {
    const job = await pull({ url: 'http://clusterdeck-test.invalid/x.img', sha256: sha256(raw) })
    expect(job.error).toMatchObject({ code: 'network_unreachable', details: { reason: 'dns' } })
    expect(job.error!.message).toContain('clusterdeck-test.invalid does not resolve')
  })

  it('runs at most the configured number of downloads at once and queues the rest', async () => {
    cache.settings.update({ maxConcurrentDownloads: 1 })
    const slow = { chunkBytes: 256 * 1024, everyMs: 20 }
    server.files.set('/a.img', { body: raw, trickle: slow })
    server.files.set('/b.img', { body: imageBytes(2 * 1024 * 1024, 8), trickle: slow })
    const a = service.pull({ url: server.url('/a.img') })
    const b = service.pull({ url: server.url('/b.img') })
    await waitFor(() => progress.some((p) => p.id === a.id && p.state === 'downloading'))
    expect(service.get(b.id).state).toBe('queued')
    const aDone = await service.wait(a.id)
    expect(server.requests.filter((r) => r.path === '/b.img')).toEqual([])
    expect(aDone.state).toBe('done')
    expect((await service.wait(b.id)).state).toBe('done')
    const firstB = progress.findIndex((p) => p.id === b.id && p.state === 'downloading')
    const lastA = progress.findLastIndex((p) => p.id === a.id)
    expect(firstB).toBeGreaterThan(lastA)
  })

  it('cancels a running download and discards its bytes', async () => {
    server.files.set('/slow.img', { body: raw, trickle: { chunkBytes: 64 * 1024, everyMs: 20 } })
    const job = service.pull({ url: server.url('/slow.img') })
    await waitFor(() => progress.some((p) => p.id === job.id && p.progress.bytesDone > 128 * 1024))
    const cancelled = await service.cancel(job.id)
    expect(cancelled).toMatchObject({ state: 'cancelled', resumable: false })
    expect(staging()).toEqual([])
    expect(cache.list()).toEqual([])
  })

  it('joins a running download of the same URL instead of starting a second', async () => {
    server.files.set('/slow.img', { body: raw, trickle: { chunkBytes: 256 * 1024, everyMs: 10 } })
    const a = service.pull({ url: server.url('/slow.img') })
    const b = service.pull({ url: server.url('/slow.img') })
    expect(b.id).toBe(a.id)
    expect((await service.wait(a.id)).state).toBe('done')
  })

  it('refuses an empty download and keeps nothing', async () => {
    server.files.set('/empty.img', { body: Buffer.alloc(0) })
    const job = await pull({ url: server.url('/empty.img') })
    expect(job).toMatchObject({
      state: 'failed',
      error: {
        code: 'invalid_input',
        message: 'empty.img is empty: there is nothing in it to store or flash.',
      },
    })
    expect(cache.list()).toEqual([])
    expect(staging()).toEqual([])
  })

  it('refuses early a download that can never fit the size limit', async () => {
    cache.settings.update({ sizeLimitBytes: 1024 * 1024 })
    server.files.set('/big.img', { body: raw })
    const job = await pull({ url: server.url('/big.img') })
    expect(job.error).toMatchObject({
      code: 'cache_full',
      message: expect.stringContaining('does not fit in the image cache'),
    })
  })
})

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not reached in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
