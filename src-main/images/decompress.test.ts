// The unpacked size of .xz files made by the real xz tool, read from their indexes.
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { imageBytes, writeImage } from '../../tests/support/make-image.ts'
import { makeTempDir } from '../../tests/support/temp-dir.ts'
import { xzUncompressedSize } from './decompress.ts'

let dir: ReturnType<typeof makeTempDir>
beforeAll(() => (dir = makeTempDir()))
afterAll(() => dir.remove())

function xz(name: string, bytes: Buffer, ...options: string[]): string {
  const path = writeImage(join(dir.path, name), bytes)
  execFileSync('xz', ['-k', '-f', '-0', ...options, path])
  return `${path}.xz`
}

describe('xzUncompressedSize', () => {
  it('reads the size of a one-block and of a many-block file', async () => {
    expect(await xzUncompressedSize(xz('one.img', imageBytes(300_001, 1)))).toBe(300_001)
    const blocks = xz('blocks.img', imageBytes(1024 * 1024 + 3, 2), '--block-size=256KiB', '-T2')
    expect(await xzUncompressedSize(blocks)).toBe(1024 * 1024 + 3)
  })

  it('adds up concatenated streams, with stream padding between them', async () => {
    const a = readFileSync(xz('a.img', imageBytes(100_000, 3)))
    const b = readFileSync(xz('b.img', imageBytes(77_777, 4)))
    const joined = join(dir.path, 'joined.img.xz')
    writeFileSync(joined, Buffer.concat([a, Buffer.alloc(8), b, Buffer.alloc(4)]))
    expect(await xzUncompressedSize(joined)).toBe(177_777)
    expect(execFileSync('xz', ['-dc', joined]).length).toBe(177_777)
  })

  it('says null for what is not whole xz', async () => {
    const whole = readFileSync(xz('cut.img', imageBytes(100_000, 5)))
    const cut = join(dir.path, 'cut.img.xz')
    writeFileSync(cut, whole.subarray(0, whole.length - 20))
    expect(await xzUncompressedSize(cut)).toBeNull()
    expect(await xzUncompressedSize(writeImage(join(dir.path, 'raw.img'), imageBytes(4096, 6)))).toBeNull()
    expect(await xzUncompressedSize(writeImage(join(dir.path, 'empty.xz'), Buffer.alloc(0)))).toBeNull()
  })
})
