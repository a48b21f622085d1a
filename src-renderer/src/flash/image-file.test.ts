import { describe, expect, it } from 'vitest'
import { imageFileProblem, isImageFileName } from './image-file.ts'

describe('image file names', () => {
  it('accepts raw images and the archives the cache unpacks, in any case', () => {
    for (const name of ['talos.img', 'a.RAW', 'fw.bin', 'talos.raw.xz', 'x.img.gz', 'x.img.zst', 'x.zip']) {
      expect(isImageFileName(name), name).toBe(true)
    }
  })

  it('rejects anything else with a message naming the file and what would work', () => {
    expect(isImageFileName('notes.txt')).toBe(false)
    expect(isImageFileName('img')).toBe(false)
    expect(imageFileProblem('notes.txt')).toBe(
      'notes.txt is not a disk image Clusterdeck can flash. Use a raw image (.img, .raw, .bin) or a compressed one (.xz, .gz, .zst, .zip).',
    )
    expect(imageFileProblem('talos.img.xz')).toBeNull()
  })
})
