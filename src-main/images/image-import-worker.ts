// Runs in a worker thread: reads an image file, unpacks it, hashes the packed and the raw bytes
// (SHA-256) and writes the raw image to a temporary file in the cache. Posts progress about four
// times a second. Decompression and hashing stay off the thread that serves the UI.
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { parentPort, workerData } from 'node:worker_threads'
import { decoderFor, openZipImage } from './decompress.ts'
import type { ImageFormat } from './image-formats.ts'

export interface ImportJob {
  source: string
  target: string
  format: ImageFormat
}

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
  | { kind: 'failed'; message: string; code?: string; hint?: string }

const job = workerData as ImportJob
const post = (message: ImportMessage) => parentPort!.postMessage(message)

async function run(): Promise<void> {
  const packedTotal = (await stat(job.source)).size
  const packedHash = createHash('sha256')
  const rawHash = createHash('sha256')
  let packedBytes = 0
  let rawBytes = 0
  let rawTotal: number | null = job.format === 'raw' ? packedTotal : null
  let innerName: string | null = null

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
        rawHash.update(chunk)
        rawBytes += chunk.length
        yield chunk
      }
    }
    const output = createWriteStream(job.target, { flags: 'wx', highWaterMark: 1 << 20 })
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
      await pipeline(entry.stream as Readable, countRaw, output)
    } else {
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
  const failure = error as { message?: string; code?: string; hint?: string }
  post({ kind: 'failed', message: failure.message ?? String(error), code: failure.code, hint: failure.hint })
})
