// Streams the raw bytes inside an image file, whatever it is packed in. Memory stays bounded for
// any size: every decoder streams.
import { createReadStream } from 'node:fs'
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
        const images = files.filter((entry) => imageEntryPattern.test(entry.fileName))
        const chosen = images.length === 1 ? images[0] : files.length === 1 ? files[0] : undefined
        if (!chosen) {
          zip.close()
          return reject(
            new AppError(
              'invalid_input',
              `${path} holds ${files.length} files and Clusterdeck cannot tell which one is the disk image.`,
              'Unzip it and pick the .img or .raw file yourself.',
            ),
          )
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

export function openRaw(path: string): Readable {
  return createReadStream(path, { highWaterMark: 1 << 20 })
}

function badArchive(path: string, reason: string): AppError {
  return new AppError('invalid_input', `${path} is not a readable zip archive: ${reason}.`)
}
