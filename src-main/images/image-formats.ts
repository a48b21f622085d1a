// Which image files Clusterdeck takes, and how each is unpacked. The BMC understands raw images
// (and .xz from firmware 2.1); anything else would be written to the eMMC as it is and leave the
// node unbootable, so every compressed image is decompressed into the cache first.
import { open } from 'node:fs/promises'
import { AppError } from '../../src-shared/contract/app-error.ts'

export type ImageFormat = 'raw' | 'xz' | 'gzip' | 'zstd' | 'zip'

const magics: Array<[ImageFormat | 'bzip2', number[]]> = [
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['gzip', [0x1f, 0x8b]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['zip', [0x50, 0x4b, 0x03, 0x04]],
  ['bzip2', [0x42, 0x5a, 0x68]],
]

/** The format of an image file, from its first bytes (a file's name can lie). */
export async function detectImageFormat(path: string): Promise<ImageFormat> {
  const handle = await open(path, 'r')
  try {
    const head = Buffer.alloc(8)
    const { bytesRead } = await handle.read(head, 0, head.length, 0)
    const found = magics.find(
      ([, magic]) => bytesRead >= magic.length && magic.every((byte, i) => head[i] === byte),
    )
    if (found?.[0] === 'bzip2') {
      throw new AppError(
        'invalid_input',
        `${path} is bzip2-compressed, which Clusterdeck does not unpack (it is too slow to be practical for disk images).`,
        'Decompress it first (bunzip2 -k FILE) and use the raw image, or recompress it with xz.',
      )
    }
    return found ? (found[0] as ImageFormat) : 'raw'
  } finally {
    await handle.close()
  }
}
