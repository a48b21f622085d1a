// Image import into the cache with real compressed files made by the real tools: the raw bytes
// come out identical, the hashes are those of the bytes, and nothing partial is ever kept: not of
// an empty image, a file that changes while it is read, or an image the disk has no room for.
import { execFileSync, spawn } from 'node:child_process'
import { readdirSync, readFileSync, statfsSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ImageCache } from '../../src-main/images/image-cache.ts'
import { openDatabase, type Db } from '../../src-main/store/database.ts'
import { imageBytes, pack, sha256, writeImage } from '../support/make-image.ts'
import { makeTempDir } from '../support/temp-dir.ts'

let dir: ReturnType<typeof makeTempDir>
let db: Db
let cache: ImageCache
let raw: Buffer
let rawPath: string

beforeAll(() => {
  dir = makeTempDir()
  db = openDatabase(join(dir.path, 'data'))
  cache = new ImageCache(db, join(dir.path, 'data'))
  raw = imageBytes(3 * 1024 * 1024 + 12345, 7)
  rawPath = writeImage(join(dir.path, 'talos-rk1.raw'), raw)
})

afterAll(() => {
  db.close()
  dir.remove()
})

function cacheFiles(): string[] {
  return readdirSync(cache.dir, { recursive: true }).map(String).sort()
}

describe('ImageCache.import', () => {
  it.each(['xz', 'gzip', 'zstd', 'zip'] as const)(
    'unpacks a %s image into the cache, byte for byte',
    async (format) => {
      const own = imageBytes(2 * 1024 * 1024 + 999, { xz: 11, gzip: 12, zstd: 13, zip: 14 }[format])
      const packed = pack(writeImage(join(dir.path, `${format}-image.raw`), own), format)
      const image = await cache.import(packed)
      expect(image).toMatchObject({
        sha256: sha256(own),
        name: `${format}-image.raw`,
        sizeBytes: own.length,
        packedSha256: sha256(readFileSync(packed)),
        packedSizeBytes: readFileSync(packed).length,
        pinned: false,
      })
      expect(readFileSync(cache.pathOf(image.sha256)).equals(own)).toBe(true)
    },
  )

  it('stores a raw image once, however often it is imported', async () => {
    const image = await cache.import(rawPath)
    expect(image).toMatchObject({ sha256: sha256(raw), packedSha256: null, sizeBytes: raw.length })
    await cache.import(rawPath)
    expect(cacheFiles().filter((file) => file.startsWith(sha256(raw)))).toEqual([`${sha256(raw)}.img`])
    expect(cache.list().filter((entry) => entry.sha256 === sha256(raw))).toHaveLength(1)
  })

  it('rejects a damaged archive and keeps nothing of it', async () => {
    const before = cacheFiles()
    const packed = readFileSync(pack(rawPath, 'xz'))
    const damaged = join(dir.path, 'damaged.raw.xz')
    writeFileSync(damaged, Buffer.concat([packed.subarray(0, packed.length / 2), Buffer.alloc(4096, 0x55)]))
    await expect(cache.import(damaged)).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/^Could not unpack damaged.raw.xz as xz: /),
    })
    expect(cacheFiles()).toEqual(before)
  })

  it('refuses bzip2 with what to do instead', async () => {
    const fake = join(dir.path, 'image.img.bz2')
    writeFileSync(fake, Buffer.from('BZh91AY&SY'))
    await expect(cache.import(fake)).rejects.toMatchObject({
      code: 'invalid_input',
      hint: expect.stringMatching(/bunzip2/),
    })
  })

  it('cancels an import and leaves nothing behind', async () => {
    const before = cacheFiles()
    const big = writeImage(join(dir.path, 'big.raw'), imageBytes(48 * 1024 * 1024, 3))
    const controller = new AbortController()
    const pending = cache.import(big, { signal: controller.signal, onProgress: () => controller.abort() })
    setTimeout(() => controller.abort(), 150)
    await expect(pending).rejects.toMatchObject({ code: 'cancelled' })
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(cacheFiles()).toEqual(before)
    expect(cache.find(sha256(readFileSync(big)))).toBeUndefined()
  })

  it('says which file is missing', async () => {
    await expect(cache.import(join(dir.path, 'nope.img'))).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('nope.img is not a readable file'),
    })
  })
})

describe('ImageCache.import refuses what must not be cached', () => {
  const MiB = 1024 * 1024

  it('refuses an empty image, packed or not, and keeps nothing', async () => {
    const before = cacheFiles()
    const empty = writeImage(join(dir.path, 'empty.img'), Buffer.alloc(0))
    await expect(cache.import(empty)).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'empty.img is empty: there is nothing in it to store or flash.',
    })
    await expect(cache.import(pack(empty, 'gzip'))).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'empty.img is empty once unpacked: there is nothing in it to store or flash.',
    })
    expect(cacheFiles()).toEqual(before)
  })

  it('drops empty images an older version cached when the cache opens', () => {
    const emptySha = sha256(Buffer.alloc(0))
    writeFileSync(cache.pathOf(emptySha), '')
    db.prepare(
      `INSERT INTO images (sha256, name, size_bytes, added_at, last_used_at) VALUES (?, 'old-empty.img', 0, '2026-01-01', '2026-01-01')`,
    ).run(emptySha)
    const reopened = new ImageCache(db, join(dir.path, 'data'))
    expect(reopened.find(emptySha)).toBeUndefined()
    expect(cacheFiles()).not.toContain(`${emptySha}.img`)
  })

  it('fails on a file that is still being written, keeping nothing', async () => {
    const before = cacheFiles()
    const growing = writeImage(join(dir.path, 'growing.img'), imageBytes(4 * MiB, 21))
    // A real writer appending as a download or a copy would.
    const writer = spawn('sh', [
      '-c',
      `while :; do head -c 65536 /dev/urandom >> '${growing}'; sleep 0.02; done`,
    ])
    try {
      await expect(cache.import(growing)).rejects.toMatchObject({
        code: 'conflict',
        message: expect.stringMatching(
          /^growing.img changed while it was being imported \([\d.]+ MiB at the start, [\d.]+ MiB at the end.*\); nothing was kept.$/,
        ),
        hint: expect.stringContaining('has finished, then import it again'),
      })
    } finally {
      writer.kill()
    }
    expect(cacheFiles()).toEqual(before)
  })

  it('fails on a file truncated while it is read, keeping nothing', async () => {
    const before = cacheFiles()
    const shrinking = join(dir.path, 'shrinking.img')
    execFileSync('truncate', ['-s', `${96 * MiB}`, shrinking])
    const pending = cache.import(shrinking)
    // Cut it once the import is under way (its output exists), as a user's mistake would.
    const cut = setInterval(() => {
      if (readdirSync(cache.incoming).length === 0) return
      truncateSync(shrinking, 16 * MiB)
      clearInterval(cut)
    }, 1)
    await expect(pending).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(
        /^shrinking.img changed while it was being imported \(96.0 MiB at the start, 16.0 MiB at the end/,
      ),
    })
    expect(cacheFiles()).toEqual(before)
  })

  it('stops unpacking when the disk would keep less than the reserve, naming the folder', async () => {
    const before = cacheFiles()
    const zeros = join(dir.path, 'zeros.img.gz')
    execFileSync('sh', ['-c', `head -c ${256 * MiB} /dev/zero | gzip -1 > '${zeros}'`])
    // A reserve that leaves 16 MiB of the real disk's free space to this import.
    const { bavail, bsize } = statfsSync(cache.dir)
    const tight = new ImageCache(db, join(dir.path, 'data'), undefined, {
      diskReserveBytes: bavail * bsize - 16 * MiB,
    })
    const failure = await tight.import(zeros).catch((error: unknown) => error)
    expect(failure).toMatchObject({
      code: 'disk_full',
      message: expect.stringMatching(
        new RegExp(
          `^Not enough disk space for zeros.img: unpacked it needs more than [\\d.]+ MiB in ${tight.dir}, where [\\d.]+ GiB is free`,
        ),
      ),
      hint: expect.stringContaining(`on the disk that holds ${tight.dir}`),
      details: expect.objectContaining({ directory: tight.dir }),
    })
    // Stopped within a chunk of the 16 MiB, not after 256 MiB.
    expect(
      Number((failure as { details: { atLeastBytes: string } }).details.atLeastBytes),
    ).toBeLessThanOrEqual(17 * MiB)
    expect(cacheFiles()).toEqual(before)

    // An image whose size is known up front (a raw file, an .xz from its index) is refused before
    // a byte is written, with the figure.
    const zerosXz = join(dir.path, 'zeros-xz.img.xz')
    execFileSync('sh', ['-c', `head -c ${64 * MiB} /dev/zero | xz -0 > '${zerosXz}'`])
    await expect(tight.import(zerosXz)).rejects.toMatchObject({
      code: 'disk_full',
      message: expect.stringContaining(`zeros-xz.img: unpacked it needs 64.0 MiB in ${tight.dir}`),
      details: expect.objectContaining({
        neededBytes: String(64 * MiB),
        atLeastBytes: String(64 * MiB),
      }),
    })
    const sparse = join(dir.path, 'sparse.img')
    execFileSync('truncate', ['-s', `${64 * MiB}`, sparse])
    await expect(tight.import(sparse)).rejects.toMatchObject({
      code: 'disk_full',
      message: expect.stringContaining(`sparse.img: unpacked it needs 64.0 MiB in ${tight.dir}`),
      hint: expect.stringMatching(/^Free at least [\d.]+ MiB on the disk/),
    })
    expect(cacheFiles()).toEqual(before)
  })
})
