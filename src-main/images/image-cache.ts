// The content-addressed image cache: every raw image is stored once as images/<sha256>.img, with
// its metadata in SQLite. An import unpacks into images/.incoming/ and only a complete, hashed
// (and, when a hash is expected, verified) file is moved into place, so a half-written or
// unverified image never appears in the cache. A size limit evicts the least recently used
// unpinned images that no flash is reading.
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { rename, rm, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { randomUUID } from 'node:crypto'
import type { CachedImage, ImageChange, ImageUsage } from '../../src-shared/images/image-schemas.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { formatBytes } from '../../src-shared/progress/progress.ts'
import { processExists } from '../core/process-alive.ts'
import type { Db } from '../store/database.ts'
import { rawImageName } from '../../src-shared/images/image-file-names.ts'
import { detectImageFormat, type ImageFormat } from './image-formats.ts'
import type { ImportMessage } from './image-import-worker.ts'
import { planEviction } from './cache-eviction.ts'
import { ImageSettingsStore } from './image-settings.ts'

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
  /** The published SHA-256 of the file as given (packed or raw): a mismatch keeps nothing. */
  expectedSha256?: string
  /** Facts the source knows about the image. */
  os?: string
  osVersion?: string
  arch?: string
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
  os: string | null
  os_version: string | null
  arch: string | null
}

// From source the worker is TypeScript run by Node's type stripping; in the Electron bundle it is
// its own entry next to the main bundle (electron.vite.config.ts).
const workerUrl = new URL(
  import.meta.url.endsWith('.ts') ? './image-import-worker.ts' : './image-import-worker.js',
  import.meta.url,
)

export class ImageCache {
  readonly dir: string
  /** This process's staging folder: the app and a CLI may import into one cache at the same time. */
  readonly incoming: string
  readonly settings: ImageSettingsStore
  private readonly db: Db
  private readonly now: () => Date
  private readonly listeners = new Set<(change: ImageChange) => void>()
  /** Serialises "make room, move into place, record" so two imports never plan on stale totals. */
  private admission: Promise<unknown> = Promise.resolve()
  /** The images running flashes read; set by the core (the cache cannot see flashes itself). */
  inUse: () => ReadonlySet<string> = () => new Set()

  constructor(db: Db, dataDir: string, now = () => new Date()) {
    this.db = db
    this.settings = new ImageSettingsStore(db)
    this.dir = join(dataDir, 'images')
    this.incoming = join(this.dir, '.incoming', String(process.pid))
    this.now = now
    removeAbandonedStaging(join(this.dir, '.incoming'))
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

  /** Calls the listener after every change to the library; returns the unsubscribe function. */
  subscribe(listener: (change: ImageChange) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  usage(): ImageUsage {
    const images = this.list()
    return {
      imageCount: images.length,
      totalBytes: images.reduce((sum, image) => sum + image.sizeBytes, 0),
      pinnedBytes: images.filter((image) => image.pinned).reduce((sum, image) => sum + image.sizeBytes, 0),
      sizeLimitBytes: this.settings.get().sizeLimitBytes,
    }
  }

  /** An image by its SHA-256, a unique prefix of it (6+ hex digits) or its unique name. */
  resolve(ref: string): CachedImage {
    const images = this.list()
    const lower = ref.toLowerCase()
    const byHash = /^[0-9a-f]{6,64}$/.test(lower)
      ? images.filter((image) => image.sha256.startsWith(lower))
      : []
    const matches = byHash.length > 0 ? byHash : images.filter((image) => image.name === ref)
    if (matches.length === 1) return matches[0]!
    if (matches.length === 0) {
      throw new AppError(
        'not_found',
        `No image "${ref}" is in the cache.`,
        'List the images (clusterdeck image list) and use a SHA-256 prefix or the exact name.',
      )
    }
    throw new AppError(
      'conflict',
      `"${ref}" matches ${matches.length} images: ${matches.map((image) => image.sha256.slice(0, 12)).join(', ')}.`,
      'Use a longer SHA-256 prefix.',
    )
  }

  setPinned(ref: string, pinned: boolean): CachedImage {
    const image = this.resolve(ref)
    this.db.prepare('UPDATE images SET pinned = ? WHERE sha256 = ?').run(pinned ? 1 : 0, image.sha256)
    this.publish({ reason: pinned ? 'pinned' : 'unpinned', sha256: image.sha256, name: image.name })
    return this.find(image.sha256)!
  }

  /** Deletes an image (file and record); refused while a flash reads it. */
  async remove(ref: string): Promise<CachedImage> {
    const image = this.resolve(ref)
    if (this.inUse().has(image.sha256)) {
      throw new AppError(
        'conflict',
        `${image.name} is being flashed right now and cannot be deleted.`,
        'Wait for the flash to finish, or cancel it first.',
      )
    }
    await this.evict(image, 'removed')
    return image
  }

  /**
   * Fails early when an image of this size could never fit, even after evicting everything
   * evictable (a download checks before it spends the bandwidth).
   */
  assertCouldFit(sizeBytes: number, what: string): void {
    const plan = this.plan(sizeBytes)
    if (!plan.fits) throw this.cacheFull(sizeBytes, what, plan.keptBytes)
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
      const name = options.name ?? result.innerName ?? rawImageName(basename(source))
      if (options.expectedSha256 && result.packedSha256 !== options.expectedSha256.toLowerCase()) {
        throw new AppError(
          'checksum_mismatch',
          `${name} does not match its published checksum (expected ${options.expectedSha256}, got ${result.packedSha256}); nothing was kept.`,
          'The file was damaged in transit or replaced at the source: download it again, and check the checksum source if it happens twice.',
          { expected: options.expectedSha256, actual: result.packedSha256 },
        )
      }
      return await this.admit(temporary, result, name, format !== 'raw', options)
    } finally {
      await rm(temporary, { force: true })
    }
  }

  private admit(
    temporary: string,
    result: Extract<ImportMessage, { kind: 'done' }>,
    name: string,
    packed: boolean,
    options: ImportOptions,
  ): Promise<CachedImage> {
    const step = this.admission.then(async () => {
      const target = this.pathOf(result.sha256)
      const known = this.find(result.sha256)
      if (!known) {
        const plan = this.plan(result.rawSize)
        if (!plan.fits) throw this.cacheFull(result.rawSize, name, plan.keptBytes)
        for (const victim of plan.evict) await this.evict(victim, 'evicted')
      }
      if (await stat(target).catch(() => null)) await rm(temporary)
      else await rename(temporary, target)
      const timestamp = this.now().toISOString()
      this.db
        .prepare(
          `INSERT INTO images (sha256, name, size_bytes, packed_sha256, packed_size, source_url, added_at, last_used_at, os, os_version, arch)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (sha256) DO UPDATE SET last_used_at = excluded.last_used_at,
             source_url = COALESCE(images.source_url, excluded.source_url),
             os = COALESCE(images.os, excluded.os),
             os_version = COALESCE(images.os_version, excluded.os_version),
             arch = COALESCE(images.arch, excluded.arch)`,
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
          options.os ?? null,
          options.osVersion ?? null,
          options.arch ?? null,
        )
      const image = this.find(result.sha256)!
      if (!known) this.publish({ reason: 'added', sha256: image.sha256, name: image.name })
      return image
    })
    this.admission = step.catch(() => {})
    return step
  }

  private plan(incomingBytes: number) {
    return planEviction(this.list(), {
      limitBytes: this.settings.get().sizeLimitBytes,
      incomingBytes,
      inUse: this.inUse(),
    })
  }

  private async evict(image: CachedImage, reason: 'evicted' | 'removed'): Promise<void> {
    // The record goes first: a file without a record is invisible and swept, never the reverse.
    this.db.prepare('DELETE FROM images WHERE sha256 = ?').run(image.sha256)
    await rm(this.pathOf(image.sha256), { force: true })
    this.publish({ reason, sha256: image.sha256, name: image.name })
  }

  private cacheFull(sizeBytes: number, what: string, keptBytes: number): AppError {
    const limit = this.settings.get().sizeLimitBytes ?? 0
    return new AppError(
      'cache_full',
      `${what} (${formatBytes(sizeBytes)}) does not fit in the image cache: the limit is ${formatBytes(limit)} and ${formatBytes(keptBytes)} of it is pinned or being flashed, which is never evicted.`,
      'Raise the cache limit (clusterdeck image limit SIZE), or unpin or delete images you no longer need.',
      { sizeBytes: String(sizeBytes), limitBytes: String(limit), keptBytes: String(keptBytes) },
    )
  }

  private publish(change: ImageChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change)
      } catch {
        // A listener's failure must not undo a change that already happened.
      }
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
    os: row.os,
    osVersion: row.os_version,
    arch: row.arch,
  }
}

/**
 * Leftovers of imports whose process is gone (a crash, a kill) are never valid images; the staging
 * folders of processes still running are theirs.
 */
function removeAbandonedStaging(root: string): void {
  mkdirSync(root, { recursive: true })
  for (const entry of readdirSync(root)) {
    const pid = /^\d+$/.test(entry) ? Number(entry) : null
    if (pid !== null && pid !== process.pid && processExists(pid)) continue
    rmSync(join(root, entry), { recursive: true, force: true })
  }
}
