// Streams the raw bytes inside an image file, whatever it is packed in. Memory stays bounded for
// any size: every decoder streams.
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import type { Duplex, Readable } from 'node:stream'
import { createGunzip, createZstdDecompress } from 'node:zlib'
import { createDecompressStream as createXzDecompressStream } from '@napi-rs/lzma/xz'
import yauzl from 'yauzl'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { ImageFormat } from './image-formats.ts'

/** The stream transform that unpacks a format; zip is handled by openZipImage instead. */
export function decoderFor(format: Exclude<ImageFormat, 'zip' | 'raw'>): Duplex {
  switch (format) {
    case 'xz':
      return createXzDecompressStream()
    case 'gzip':
      return createGunzip({ chunkSize: 1 << 20 })
    case 'zstd':
      return createZstdDecompress({ chunkSize: 1 << 20 })
  }
}

const imageEntryPattern = /\.(img|raw|bin)$/i

/** The disk image inside a zip archive: the one .img/.raw/.bin entry, or the only file. */
export function openZipImage(path: string): Promise<{ name: string; size: number; stream: Readable }> {
  return openZip(path, (files) => {
    const images = files.filter((entry) => imageEntryPattern.test(entry.fileName))
    const chosen = images.length === 1 ? images[0] : files.length === 1 ? files[0] : undefined
    return (
      chosen ??
      new AppError(
        'invalid_input',
        `${path} holds ${files.length} files and Clusterdeck cannot tell which one is the disk image.`,
        'Unzip it and pick the .img or .raw file yourself.',
      )
    )
  })
}

/** The entry at this path inside a zip archive (e.g. a release's `windows-amd64/helm.exe`), or `missing`. */
export function openZipEntry(
  path: string,
  fileName: string,
  missing: AppError,
): Promise<{ size: number; stream: Readable }> {
  return openZip(path, (files) => files.find((entry) => entry.fileName === fileName) ?? missing)
}

/** Reads a zip's list of files, then streams the one `choose` picks (or fails with its error). */
function openZip(
  path: string,
  choose: (files: yauzl.Entry[]) => yauzl.Entry | AppError,
): Promise<{ name: string; size: number; stream: Readable }> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (error, zip) => {
      if (error || !zip) return reject(badArchive(path, error?.message ?? 'unreadable'))
      const files: yauzl.Entry[] = []
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!entry.fileName.endsWith('/')) files.push(entry)
        zip.readEntry()
      })
      zip.on('error', (zipError: Error) => reject(badArchive(path, zipError.message)))
      zip.on('end', () => {
        const chosen = choose(files)
        if (chosen instanceof AppError) {
          zip.close()
          return reject(chosen)
        }
        zip.openReadStream(chosen, (streamError, stream) => {
          if (streamError || !stream) {
            zip.close()
            return reject(badArchive(path, streamError?.message ?? 'unreadable entry'))
          }
          stream.once('close', () => zip.close())
          resolve({ name: chosen.fileName.split('/').at(-1)!, size: chosen.uncompressedSize, stream })
        })
      })
      zip.readEntry()
    })
  })
}

const xzHeaderMagic = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])
/** Beyond this an index is not believed (a damaged file): the caller unpacks without knowing. */
const maxXzIndexBytes = 64 * 1024 * 1024

/**
 * The unpacked size of an .xz file, from the indexes its streams end with (every xz file has
 * them), read from the end without unpacking: so the room an image needs is known before the
 * first byte is written. Null when the file does not read as well-formed xz; unpacking then finds
 * out what is wrong.
 */
export async function xzUncompressedSize(path: string): Promise<number | null> {
  const file = await open(path, 'r')
  try {
    const read = async (position: number, length: number): Promise<Buffer | null> => {
      if (position < 0 || length < 0) return null
      const buffer = Buffer.alloc(length)
      const { bytesRead } = await file.read(buffer, 0, length, position)
      return bytesRead === length ? buffer : null
    }
    let end = (await file.stat()).size
    if (end === 0) return null
    let total = 0
    while (end > 0) {
      // Stream padding: zero bytes, in fours, between and after streams.
      const tail = await read(end - 4, 4)
      if (!tail) return null
      if (tail.readUInt32LE(0) === 0) {
        end -= 4
        continue
      }
      const footer = await read(end - 12, 12)
      if (!footer || footer[10] !== 0x59 || footer[11] !== 0x5a) return null
      const indexSize = (footer.readUInt32LE(4) + 1) * 4
      if (indexSize > maxXzIndexBytes) return null
      const index = await read(end - 12 - indexSize, indexSize)
      if (!index || index[0] !== 0) return null
      const records = readXzIndex(index)
      if (!records) return null
      total += records.uncompressed
      const start = end - 12 - indexSize - records.blocks - 12
      const header = await read(start, 6)
      if (!header?.equals(xzHeaderMagic)) return null
      end = start
    }
    return total
  } finally {
    await file.close()
  }
}

/** Sums an xz index's records: the unpacked bytes, and the blocks' size as stored (padded to 4). */
function readXzIndex(index: Buffer): { uncompressed: number; blocks: number } | null {
  let offset = 1
  const varint = (): number | null => {
    let value = 0
    for (let shift = 0; shift < 63 && offset < index.length; shift += 7) {
      const byte = index[offset++]!
      value += (byte & 0x7f) * 2 ** shift
      if ((byte & 0x80) === 0) return value
    }
    return null
  }
  const count = varint()
  if (count === null) return null
  let uncompressed = 0
  let blocks = 0
  for (let record = 0; record < count; record++) {
    const unpadded = varint()
    const size = varint()
    if (unpadded === null || size === null) return null
    blocks += Math.ceil(unpadded / 4) * 4
    uncompressed += size
  }
  return { uncompressed, blocks }
}

export function openRaw(path: string): Readable {
  return createReadStream(path, { highWaterMark: 1 << 20 })
}

function badArchive(path: string, reason: string): AppError {
  return new AppError('invalid_input', `${path} is not a readable zip archive: ${reason}.`)
}
