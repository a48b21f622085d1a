// Image import into the cache with real compressed files made by the real tools: the raw bytes
// come out identical, the hashes are those of the bytes, and nothing partial is ever kept.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
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
