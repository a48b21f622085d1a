// Runs in a worker thread: reads an image file, unpacks it, hashes the packed and the raw bytes
// (SHA-256) and writes the raw image to a temporary file in the cache. Posts progress about four
// times a second. Decompression and hashing stay off the thread that serves the UI.
//
// The room is checked as the raw bytes come, not after: a few MiB of packed zeros can unpack to
// many GiB, so the import stops as soon as the image outgrows the room the cache limit leaves
// (when one applies) or the disk's free space minus a reserve (docs/image-library.md).
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { stat, statfs } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { parentPort, workerData } from 'node:worker_threads'
import { decoderFor, openZipImage, xzUncompressedSize } from './decompress.ts'
import type { ImageFormat } from './image-formats.ts'

export interface ImportJob {
  source: string
  target: string
  format: ImageFormat
  /** The most raw bytes the cache limit leaves room for; null when no limit applies. */
  maxRawBytes: number | null
  /** Free space the import leaves on the disk that holds the target. */
  diskReserveBytes: number
}

/** Why an import stopped: the cache (image-cache.ts) turns these into messages with names. */
export type ImportFailure =
  | { reason: 'unpack'; message: string }
  | { reason: 'invalid'; message: string; hint?: string }
  /** rawTotal is the image's full size when known before unpacking (raw, zip, xz), else null. */
  | { reason: 'over-limit'; rawBytes: number; rawTotal: number | null }
  | { reason: 'no-space'; rawBytes: number; rawTotal: number | null; freeBytes: number }

export type ImportMessage =
  | { kind: 'progress'; packedBytes: number; rawBytes: number; packedTotal: number; rawTotal: number | null }
  | {
      kind: 'done'
      sha256: string
      rawSize: number
      packedSha256: string
      packedSize: number
      innerName: string | null
    }
  | ({ kind: 'failed' } & ImportFailure)

class Stop extends Error {
  readonly failure: ImportFailure
  constructor(failure: ImportFailure) {
    super(failure.reason)
    this.failure = failure
  }
}

/** How often (in raw bytes) the disk's free space is asked again: others write to it too. */
const diskCheckInterval = 8 * 1024 * 1024

const job = workerData as ImportJob
const post = (message: ImportMessage) => parentPort!.postMessage(message)

async function freeBytes(): Promise<number> {
  const info = await statfs(dirname(job.target))
  return info.bavail * info.bsize
}

async function run(): Promise<void> {
  const packedTotal = (await stat(job.source)).size
  const packedHash = createHash('sha256')
  const rawHash = createHash('sha256')
  let packedBytes = 0
  let rawBytes = 0
  let rawTotal: number | null =
    job.format === 'raw' ? packedTotal : job.format === 'xz' ? await xzUncompressedSize(job.source) : null
  let innerName: string | null = null
  const freeAtStart = await freeBytes()
  let nextDiskCheck = diskCheckInterval

  /** Stops before writing bytes that would not fit; with a known total, before the first one. */
  async function assertRoom(upTo: number): Promise<void> {
    if (job.maxRawBytes !== null && upTo > job.maxRawBytes) {
      throw new Stop({ reason: 'over-limit', rawBytes: upTo, rawTotal })
    }
    let available = freeAtStart - upTo
    if (upTo >= nextDiskCheck) {
      nextDiskCheck = upTo + diskCheckInterval
      available = Math.min(available, (await freeBytes()) - (upTo - rawBytes))
    }
    if (available < job.diskReserveBytes) {
      throw new Stop({ reason: 'no-space', rawBytes: upTo, rawTotal, freeBytes: freeAtStart })
    }
  }

  const timer = setInterval(
    () => post({ kind: 'progress', packedBytes, rawBytes, packedTotal, rawTotal }),
    250,
  )
  try {
    async function* countPacked(source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        packedHash.update(chunk)
        packedBytes += chunk.length
        yield chunk
      }
    }
    async function* countRaw(source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        await assertRoom(rawBytes + chunk.length)
        rawHash.update(chunk)
        rawBytes += chunk.length
        yield chunk
      }
    }
    if (job.format === 'zip') {
      // The archive's own hash is computed in a separate pass: zip reading is random access.
      const hashArchive = async () => {
        for await (const chunk of createReadStream(job.source, {
          highWaterMark: 1 << 20,
        }) as AsyncIterable<Buffer>) {
          packedHash.update(chunk)
          packedBytes += chunk.length
        }
      }
      const [, entry] = await Promise.all([hashArchive(), openZipImage(job.source)])
      innerName = entry.name
      rawTotal = entry.size
      await assertRoom(rawTotal)
      const output = createWriteStream(job.target, { flags: 'wx', highWaterMark: 1 << 20 })
      await pipeline(entry.stream as Readable, countRaw, output)
    } else {
      if (rawTotal !== null) await assertRoom(rawTotal)
      const output = createWriteStream(job.target, { flags: 'wx', highWaterMark: 1 << 20 })
      const input = createReadStream(job.source, { highWaterMark: 1 << 20 })
      if (job.format === 'raw') await pipeline(input, countPacked, countRaw, output)
      else await pipeline(input, countPacked, decoderFor(job.format), countRaw, output)
    }
    post({
      kind: 'done',
      sha256: rawHash.digest('hex'),
      rawSize: rawBytes,
      packedSha256: packedHash.digest('hex'),
      packedSize: packedBytes,
      innerName,
    })
  } finally {
    clearInterval(timer)
  }
}

run().catch((error: unknown) => {
  if (error instanceof Stop) return post({ kind: 'failed', ...error.failure })
  const failure = error as { message?: string; code?: string; hint?: string }
  post(
    failure.code === 'invalid_input'
      ? { kind: 'failed', reason: 'invalid', message: failure.message ?? String(error), hint: failure.hint }
      : { kind: 'failed', reason: 'unpack', message: failure.message ?? String(error) },
  )
})
