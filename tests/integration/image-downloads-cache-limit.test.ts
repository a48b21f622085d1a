// The cache size limit: least recently used unpinned images go first, pinned images and images a
// flash holds never go, and when even that cannot make room the import says so (stopping as soon as
// the unpacked bytes outgrow the room) and keeps everything. A flash's import may go over the limit.
// Also delete and pin by SHA prefix or name, holds across processes, and the change events.
import { execFileSync, spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AppError } from '../../src-shared/contract/app-error.ts'
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

  it('never evicts or deletes an image a flash holds, until it is released', async () => {
    const a = await add('a.img', 1)
    await add('b.img', 2)
    cache.hold(a.sha256, 'job-1', 'the flash of node 2 on board "rack-1"')
    cache.settings.update({ sizeLimitBytes: 2 * MiB })
    await add('c.img', 3)
    expect(names()).toEqual(['a.img', 'c.img'])
    await expect(cache.remove('a.img')).rejects.toMatchObject({
      code: 'conflict',
      message:
        'a.img cannot be deleted: the flash of node 2 on board "rack-1" is waiting for it or writing it.',
    })
    expect(cache.usage()).toMatchObject({ heldBytes: MiB })
    cache.release('job-1')
    await expect(cache.remove('a.img')).resolves.toMatchObject({ name: 'a.img' })
  })

  it('respects the holds of another process, and forgets those of a process that is gone', async () => {
    const a = await add('a.img', 1)
    // Another process with its own connection (as the app is for a CLI) holds a.img while it lives.
    const script = `
      const db = new (require('better-sqlite3'))(process.argv[1])
      db.prepare("INSERT INTO image_holds VALUES ('job-9', ?, 'the flash of node 4', ?, '2026-09-01')")
        .run(process.argv[2], process.pid)`
    const child = spawnSync(
      process.execPath,
      ['-e', script, join(dir.path, 'data', 'clusterdeck.db'), a.sha256],
      { encoding: 'utf8' },
    )
    expect(child.status).toBe(0)
    expect(db.prepare('SELECT holder FROM image_holds').all()).toEqual([{ holder: 'job-9' }])
    // The child has exited: its hold no longer counts and is cleared.
    await expect(cache.remove('a.img')).resolves.toMatchObject({ name: 'a.img' })
    expect(db.prepare('SELECT holder FROM image_holds').all()).toEqual([])
    const b = await add('b.img', 2)
    const alive = execFileSync('sh', ['-c', 'sleep 30 >/dev/null 2>&1 & echo $!'], {
      encoding: 'utf8',
    }).trim()
    try {
      db.prepare(
        `INSERT INTO image_holds VALUES ('job-10', ?, 'the flash of node 4 on board "lab"', ?, '2026-09-01')`,
      ).run(b.sha256, Number(alive))
      await expect(cache.remove('b.img')).rejects.toMatchObject({
        code: 'conflict',
        message: expect.stringContaining('the flash of node 4 on board "lab"'),
      })
    } finally {
      process.kill(Number(alive))
    }
  })

  it("lets a flash's import go over the limit, evicting what it can afterwards", async () => {
    const a = await add('a.img', 1)
    await add('b.img', 2)
    cache.setPinned(a.sha256, true)
    cache.settings.update({ sizeLimitBytes: 2 * MiB })
    const big = writeImage(join(dir.path, 'big.img'), imageBytes(2 * MiB, 9))
    const image = await cache.import(big, {
      mayExceedLimit: true,
      hold: { holder: 'job-1', purpose: 'the flash of node 1 on board "rack-1"' },
    })
    expect(names()).toEqual(['a.img', 'big.img'])
    expect(changes.filter((change) => change.reason === 'evicted').map((change) => change.name)).toEqual([
      'b.img',
    ])
    expect(cache.usage()).toMatchObject({
      totalBytes: 3 * MiB,
      pinnedBytes: MiB,
      heldBytes: 2 * MiB,
      sizeLimitBytes: 2 * MiB,
    })
    expect(cache.holdsOn(image.sha256)).toEqual(['the flash of node 1 on board "rack-1"'])
  })

  it('stops unpacking as soon as a library import outgrows the limit, keeping nothing', async () => {
    await add('a.img', 1)
    cache.settings.update({ sizeLimitBytes: 4 * MiB })
    // 64 MiB of zeros pack to about 64 KiB: the kind of file that once filled disks before the
    // limit was checked.
    const bomb = join(dir.path, 'zeros.img.gz')
    execFileSync('sh', ['-c', `head -c ${64 * MiB} /dev/zero | gzip -1 > '${bomb}'`])
    let rawSeen = 0
    const failure = await cache
      .import(bomb, { onProgress: (progress) => (rawSeen = Math.max(rawSeen, progress.rawBytes)) })
      .catch((error: unknown) => error)
    expect(failure).toMatchObject({
      code: 'cache_full',
      message: expect.stringMatching(
        /^zeros.img \(more than \d.\d\d MiB\) does not fit in the image cache: the limit is 4.00 MiB and 0 B of it is pinned or held by a flash/,
      ),
    })
    // Stopped within one chunk (1 MiB) of the limit, not after unpacking all 64 MiB.
    expect(Number((failure as AppError).details?.atLeastBytes)).toBeLessThanOrEqual(5 * MiB)
    expect(rawSeen).toBeLessThanOrEqual(5 * MiB)
    expect(names()).toEqual(['a.img'])
    expect(readdirSync(cache.incoming)).toEqual([])
    expect(changes.filter((change) => change.reason === 'evicted')).toEqual([])
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
        /big.img \(2.00 MiB\) does not fit .* the limit is 2.00 MiB and 1.00 MiB of it is pinned or held by a flash/,
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
