// The cache size limit: least recently used unpinned images go first, pinned images and images a
// flash is reading never go, and when even that cannot make room the import says so and keeps
// everything. Also delete and pin by SHA prefix or name, and the change events.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ImageChange } from '../../src-shared/images/image-schemas.ts'
import { ImageCache } from '../../src-main/images/image-cache.ts'
import { openDatabase, type Db } from '../../src-main/store/database.ts'
import { imageBytes, sha256, writeImage } from '../support/make-image.ts'
import { makeTempDir } from '../support/temp-dir.ts'

const MiB = 1024 * 1024
let dir: ReturnType<typeof makeTempDir>
let db: Db
let cache: ImageCache
let changes: ImageChange[]
let clock: number

beforeEach(() => {
  dir = makeTempDir()
  db = openDatabase(join(dir.path, 'data'))
  clock = Date.parse('2026-09-01T10:00:00Z')
  // A clock that moves one minute per call keeps "least recently used" unambiguous.
  cache = new ImageCache(db, join(dir.path, 'data'), () => new Date((clock += 60_000)))
  changes = []
  cache.subscribe((change) => changes.push(change))
})

afterEach(() => {
  db.close()
  dir.remove()
})

async function add(name: string, seed: number, size = MiB) {
  return cache.import(writeImage(join(dir.path, name), imageBytes(size, seed)))
}

function names(): string[] {
  return cache
    .list()
    .map((image) => image.name)
    .sort()
}

describe('cache size limit', () => {
  it('evicts the least recently used unpinned images first, never pinned ones', async () => {
    const a = await add('a.img', 1)
    const b = await add('b.img', 2)
    await add('c.img', 3)
    cache.setPinned(a.sha256, true) // the oldest, but pinned
    cache.touch(b.sha256) // b is now the most recently used
    cache.settings.update({ sizeLimitBytes: 3 * MiB })
    await add('d.img', 4)
    expect(names()).toEqual(['a.img', 'b.img', 'd.img'])
    expect(changes.filter((change) => change.reason === 'evicted').map((change) => change.name)).toEqual([
      'c.img',
    ])
    await add('e.img', 5)
    expect(names()).toEqual(['a.img', 'd.img', 'e.img'])
    expect(readdirSync(cache.dir).filter((file) => file.endsWith('.img'))).toHaveLength(3)
    expect(cache.usage()).toMatchObject({
      imageCount: 3,
      totalBytes: 3 * MiB,
      pinnedBytes: MiB,
      sizeLimitBytes: 3 * MiB,
    })
  })

  it('never evicts an image a flash is reading', async () => {
    const a = await add('a.img', 1)
    await add('b.img', 2)
    cache.inUse = () => new Set([a.sha256])
    cache.settings.update({ sizeLimitBytes: 2 * MiB })
    await add('c.img', 3)
    expect(names()).toEqual(['a.img', 'c.img'])
    await expect(cache.remove('a.img')).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('being flashed'),
    })
  })

  it('says when even eviction cannot make room, and keeps everything', async () => {
    const a = await add('a.img', 1)
    await add('b.img', 2)
    cache.setPinned(a.sha256, true)
    cache.settings.update({ sizeLimitBytes: 2 * MiB })
    const big = writeImage(join(dir.path, 'big.img'), imageBytes(2 * MiB, 9))
    await expect(cache.import(big)).rejects.toMatchObject({
      code: 'cache_full',
      message: expect.stringMatching(
        /big.img \(2.00 MiB\) does not fit .* the limit is 2.00 MiB and 1.00 MiB of it is pinned or being flashed/,
      ),
      hint: expect.stringContaining('clusterdeck image limit'),
    })
    expect(names()).toEqual(['a.img', 'b.img'])
    expect(readdirSync(cache.incoming)).toEqual([])
  })

  it('re-importing an image already cached needs no room', async () => {
    const a = await add('a.img', 1)
    cache.settings.update({ sizeLimitBytes: MiB })
    await expect(
      cache.import(writeImage(join(dir.path, 'again.img'), imageBytes(MiB, 1))),
    ).resolves.toMatchObject({
      sha256: a.sha256,
    })
  })

  it('deletes and pins by SHA prefix or exact name, and publishes each change', async () => {
    const a = await add('a.img', 1)
    await add('b.img', 2)
    expect(cache.setPinned(a.sha256.slice(0, 8), true).pinned).toBe(true)
    expect(cache.setPinned('a.img', false).pinned).toBe(false)
    const removed = await cache.remove('b.img')
    expect(removed.name).toBe('b.img')
    expect(names()).toEqual(['a.img'])
    expect(readdirSync(cache.dir)).not.toContain(`${sha256(imageBytes(MiB, 2))}.img`)
    await expect(cache.remove('nope')).rejects.toMatchObject({ code: 'not_found' })
    expect(changes.map((change) => `${change.reason} ${change.name}`)).toEqual([
      'added a.img',
      'added b.img',
      'pinned a.img',
      'unpinned a.img',
      'removed b.img',
    ])
  })

  it('persists the settings', () => {
    cache.settings.update({ sizeLimitBytes: 40 * 1024 * MiB, maxConcurrentDownloads: 3 })
    const reopened = new ImageCache(db, join(dir.path, 'data'))
    expect(reopened.settings.get()).toEqual({ sizeLimitBytes: 40 * 1024 * MiB, maxConcurrentDownloads: 3 })
  })
})
