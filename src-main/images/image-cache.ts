// The content-addressed image cache: every raw image is stored once as images/<sha256>.img, with
// its metadata in SQLite. An import unpacks into images/.incoming/ and only a complete, hashed
// file is moved into place, so a half-written image never appears in the cache.
import { mkdirSync, rmSync } from 'node:fs'
import { rename, rm, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { randomUUID } from 'node:crypto'
import type { CachedImage } from '../../src-shared/images/image-schemas.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { Db } from '../store/database.ts'
import { rawImageName } from '../../src-shared/images/image-file-names.ts'
import { detectImageFormat, type ImageFormat } from './image-formats.ts'
import type { ImportMessage } from './image-import-worker.ts'

export interface ImportProgress {
  packedBytes: number
  packedTotal: number
  rawBytes: number
}

export interface ImportOptions {
  /** The name to show; defaults to the file's name without its compression suffix. */
  name?: string
  sourceUrl?: string
  onProgress?: (progress: ImportProgress) => void
  signal?: AbortSignal
}

interface ImageRow {
  sha256: string
  name: string
  size_bytes: number
  packed_sha256: string | null
  packed_size: number | null
  source_url: string | null
  added_at: string
  last_used_at: string
  pinned: number
}

// From source the worker is TypeScript run by Node's type stripping; in the Electron bundle it is
// its own entry next to the main bundle (electron.vite.config.ts).
const workerUrl = new URL(
  import.meta.url.endsWith('.ts') ? './image-import-worker.ts' : './image-import-worker.js',
  import.meta.url,
)

export class ImageCache {
  readonly dir: string
  private readonly incoming: string
  private readonly db: Db
  private readonly now: () => Date

  constructor(db: Db, dataDir: string, now = () => new Date()) {
    this.db = db
    this.dir = join(dataDir, 'images')
    this.incoming = join(this.dir, '.incoming')
    this.now = now
    mkdirSync(this.incoming, { recursive: true })
    // Leftovers of imports that were interrupted by a crash are never valid images.
    rmSync(this.incoming, { recursive: true, force: true })
    mkdirSync(this.incoming, { recursive: true })
  }

  pathOf(sha256: string): string {
    return join(this.dir, `${sha256}.img`)
  }

  find(sha256: string): CachedImage | undefined {
    const row = this.db.prepare('SELECT * FROM images WHERE sha256 = ?').get(sha256) as ImageRow | undefined
    return row && fromRow(row)
  }

  list(): CachedImage[] {
    return (this.db.prepare('SELECT * FROM images ORDER BY last_used_at DESC').all() as ImageRow[]).map(
      fromRow,
    )
  }

  touch(sha256: string): void {
    this.db
      .prepare('UPDATE images SET last_used_at = ? WHERE sha256 = ?')
      .run(this.now().toISOString(), sha256)
  }

  /** Unpacks (when packed), hashes and stores an image file; returns the cached raw image. */
  async import(source: string, options: ImportOptions = {}): Promise<CachedImage> {
    const sourceStat = await stat(source).catch(() => null)
    if (!sourceStat?.isFile()) {
      throw new AppError(
        'invalid_input',
        `${source} is not a readable file.`,
        'Check the path and try again.',
      )
    }
    const format = await detectImageFormat(source)
    const temporary = join(this.incoming, `${randomUUID()}.part`)
    try {
      const result = await this.runWorker(source, temporary, format, options)
      const target = this.pathOf(result.sha256)
      if (await stat(target).catch(() => null)) await rm(temporary)
      else await rename(temporary, target)
      const timestamp = this.now().toISOString()
      const name = options.name ?? result.innerName ?? rawImageName(basename(source))
      const packed = format !== 'raw'
      this.db
        .prepare(
          `INSERT INTO images (sha256, name, size_bytes, packed_sha256, packed_size, source_url, added_at, last_used_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (sha256) DO UPDATE SET last_used_at = excluded.last_used_at`,
        )
        .run(
          result.sha256,
          name,
          result.rawSize,
          packed ? result.packedSha256 : null,
          packed ? result.packedSize : null,
          options.sourceUrl ?? null,
          timestamp,
          timestamp,
        )
      return this.find(result.sha256)!
    } finally {
      await rm(temporary, { force: true })
    }
  }

  private runWorker(
    source: string,
    target: string,
    format: ImageFormat,
    { onProgress, signal }: ImportOptions,
  ): Promise<Extract<ImportMessage, { kind: 'done' }>> {
    if (signal?.aborted) return Promise.reject(cancelled(source))
    return new Promise((resolve, reject) => {
      const worker = new Worker(workerUrl, { workerData: { source, target, format } })
      const abort = () => {
        void worker.terminate()
        reject(cancelled(source))
      }
      signal?.addEventListener('abort', abort, { once: true })
      const settle = () => signal?.removeEventListener('abort', abort)
      worker.on('message', (message: ImportMessage) => {
        if (message.kind === 'progress') {
          onProgress?.({
            packedBytes: message.packedBytes,
            packedTotal: message.packedTotal,
            rawBytes: message.rawBytes,
          })
        } else if (message.kind === 'done') {
          settle()
          resolve(message)
        } else {
          settle()
          reject(
            message.code === 'invalid_input'
              ? new AppError('invalid_input', message.message, message.hint)
              : new AppError(
                  'invalid_input',
                  `Could not unpack ${basename(source)} as ${format}: ${message.message}.`,
                  'The file may be damaged or incomplete: download it again and compare its checksum.',
                ),
          )
        }
      })
      worker.on('error', (error) => {
        settle()
        reject(new AppError('internal', `The image import of ${basename(source)} crashed: ${error.message}`))
      })
    })
  }
}

function cancelled(source: string): AppError {
  return new AppError(
    'cancelled',
    `The import of ${basename(source)} was cancelled; nothing was added to the cache.`,
  )
}

function fromRow(row: ImageRow): CachedImage {
  return {
    sha256: row.sha256,
    name: row.name,
    sizeBytes: row.size_bytes,
    packedSha256: row.packed_sha256,
    packedSizeBytes: row.packed_size,
    sourceUrl: row.source_url,
    addedAt: row.added_at,
    lastUsedAt: row.last_used_at,
    pinned: row.pinned === 1,
  }
}
