// The content-addressed image cache: every raw image is stored once as images/<sha256>.img, with
// its metadata in SQLite. An import unpacks into images/.incoming/ and only a complete, hashed
// (and, when a hash is expected, verified) file is moved into place, so a half-written or
// unverified image never appears in the cache. A size limit evicts the least recently used
// unpinned images that no flash holds; a flash's import may go over it (docs/image-library.md).
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import type { Stats } from 'node:fs'
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
import type { ImportFailure, ImportJob, ImportMessage } from './image-import-worker.ts'
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
  /**
   * A flash's import: it may go over the size limit (the cache then evicts what it can down to the
   * limit); only a lack of disk space refuses it. A library import must fit under the limit.
   */
  mayExceedLimit?: boolean
  /** Holds the image for this holder from the moment it is in the cache (see hold()). */
  hold?: { holder: string; purpose: string }
}

export interface ImageCacheOptions {
  /** Free space an import leaves on the disk; 1 GiB unless set. */
  diskReserveBytes?: number
}

const defaultDiskReserveBytes = 1024 ** 3

interface HoldRow {
  holder: string
  sha256: string
  purpose: string
  owner_pid: number
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
  readonly diskReserveBytes: number
  /** Serialises "make room, move into place, record" so two imports never plan on stale totals. */
  private admission: Promise<unknown> = Promise.resolve()

  constructor(db: Db, dataDir: string, now = () => new Date(), options: ImageCacheOptions = {}) {
    this.db = db
    this.settings = new ImageSettingsStore(db)
    this.dir = join(dataDir, 'images')
    this.incoming = join(this.dir, '.incoming', String(process.pid))
    this.now = now
    this.diskReserveBytes = options.diskReserveBytes ?? defaultDiskReserveBytes
    removeAbandonedStaging(join(this.dir, '.incoming'))
    mkdirSync(this.incoming, { recursive: true })
    this.removeEmptyImages()
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
    const held = this.inUse()
    const bytesOf = (selected: CachedImage[]) => selected.reduce((sum, image) => sum + image.sizeBytes, 0)
    return {
      imageCount: images.length,
      totalBytes: bytesOf(images),
      pinnedBytes: bytesOf(images.filter((image) => image.pinned)),
      heldBytes: bytesOf(images.filter((image) => held.has(image.sha256))),
      sizeLimitBytes: this.settings.get().sizeLimitBytes,
    }
  }

  /**
   * Keeps an image from being deleted or evicted until release(holder): a queued or running flash
   * holds its image. Holds live in SQLite, so the app and a CLI on the same data directory respect
   * each other's; a hold of a process that is gone no longer counts.
   */
  hold(sha256: string, holder: string, purpose: string): void {
    this.db
      .prepare(
        `INSERT INTO image_holds (holder, sha256, purpose, owner_pid, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (holder) DO UPDATE SET sha256 = excluded.sha256, purpose = excluded.purpose`,
      )
      .run(holder, sha256, purpose, process.pid, this.now().toISOString())
  }

  release(holder: string): void {
    this.db.prepare('DELETE FROM image_holds WHERE holder = ?').run(holder)
  }

  /** What holds an image right now (e.g. "the flash of node 2 on board rack-1"). */
  holdsOn(sha256: string): string[] {
    return this.liveHolds()
      .filter((hold) => hold.sha256 === sha256)
      .map((hold) => hold.purpose)
  }

  /** The images some queued or running flash holds. */
  inUse(): ReadonlySet<string> {
    return new Set(this.liveHolds().map((hold) => hold.sha256))
  }

  private liveHolds(): HoldRow[] {
    const rows = this.db.prepare('SELECT * FROM image_holds ORDER BY created_at').all() as HoldRow[]
    const stale = rows.filter((row) => row.owner_pid !== process.pid && !processExists(row.owner_pid))
    for (const row of stale) this.db.prepare('DELETE FROM image_holds WHERE holder = ?').run(row.holder)
    return rows.filter((row) => !stale.includes(row))
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

  /** Deletes an image (file and record); refused while a flash holds it. */
  async remove(ref: string): Promise<CachedImage> {
    const image = this.resolve(ref)
    const holds = this.holdsOn(image.sha256)
    if (holds.length > 0) {
      throw new AppError(
        'conflict',
        `${image.name} cannot be deleted: ${holds.join(' and ')} ${holds.length === 1 ? 'is' : 'are'} waiting for it or writing it.`,
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
    if (!plan.fits) throw this.cacheFull(`${what} (${formatBytes(sizeBytes)})`, plan.keptBytes)
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
    const displayName = options.name ?? rawImageName(basename(source))
    if (sourceStat.size === 0) throw emptyImage(displayName, false)
    const format = await detectImageFormat(source)
    const temporary = join(this.incoming, `${randomUUID()}.part`)
    try {
      const result = await this.runWorker(source, temporary, format, options).catch(async (error) => {
        // A file that changed under the import explains any other failure (a cut-off archive).
        throw (await sourceChange(source, sourceStat)) ?? error
      })
      const name = options.name ?? result.innerName ?? rawImageName(basename(source))
      const change = await sourceChange(source, sourceStat, result.packedSize)
      if (change) throw change
      if (result.rawSize === 0) throw emptyImage(name, format !== 'raw')
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
      if (options.hold) this.hold(result.sha256, options.hold.holder, options.hold.purpose)
      if (!known) {
        // A flash's import evicts what it can and may stay over the limit; a library import is
        // refused (evicting nothing) when even evicting everything evictable leaves too little.
        const plan = this.plan(result.rawSize)
        if (!plan.fits && !options.mayExceedLimit) {
          if (options.hold) this.release(options.hold.holder)
          throw this.cacheFull(`${name} (${formatBytes(result.rawSize)})`, plan.keptBytes)
        }
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

  /** `what` names the image and its size, e.g. "big.img (2.00 GiB)" or "big.img (more than 1.00 GiB)". */
  private cacheFull(what: string, keptBytes: number, details: Record<string, string> = {}): AppError {
    const limit = this.settings.get().sizeLimitBytes ?? 0
    return new AppError(
      'cache_full',
      `${what} does not fit in the image cache: the limit is ${formatBytes(limit)} and ${formatBytes(keptBytes)} of it is pinned or held by a flash, which is never evicted; nothing was kept or evicted.`,
      'Raise the cache limit (clusterdeck image limit SIZE, or the limit in the Images view), or unpin or delete images you no longer need.',
      { limitBytes: String(limit), keptBytes: String(keptBytes), ...details },
    )
  }

  /** Why the worker stopped, as a message that names the image, the sizes and where. */
  private importFailure(source: string, format: ImageFormat, failure: ImportFailure, name: string): AppError {
    switch (failure.reason) {
      case 'invalid':
        return new AppError('invalid_input', failure.message, failure.hint)
      case 'unpack':
        return new AppError(
          'invalid_input',
          `Could not unpack ${basename(source)} as ${format}: ${failure.message}.`,
          'The file may be damaged or incomplete: download it again and compare its checksum.',
        )
      case 'over-limit':
        return this.cacheFull(
          `${name} (${failure.rawTotal === null ? `more than ${formatBytes(failure.rawBytes)}` : formatBytes(failure.rawTotal)})`,
          this.plan(0).keptBytes,
          { atLeastBytes: String(failure.rawBytes) },
        )
      case 'no-space': {
        const needs =
          failure.rawTotal === null
            ? `more than ${formatBytes(failure.rawBytes)}`
            : formatBytes(failure.rawTotal)
        const missing = (failure.rawTotal ?? failure.rawBytes) + this.diskReserveBytes - failure.freeBytes
        return new AppError(
          'disk_full',
          `Not enough disk space for ${name}: unpacked it needs ${needs} in ${this.dir}, where ${formatBytes(failure.freeBytes)} is free and Clusterdeck leaves ${formatBytes(this.diskReserveBytes)} for the system. Nothing was kept.`,
          `Free ${failure.rawTotal === null ? 'more than' : 'at least'} ${formatBytes(Math.max(missing, 1))} on the disk that holds ${this.dir} (delete files, or images from the library), then try again.`,
          {
            directory: this.dir,
            freeBytes: String(failure.freeBytes),
            reserveBytes: String(this.diskReserveBytes),
            atLeastBytes: String(failure.rawBytes),
            ...(failure.rawTotal === null ? {} : { neededBytes: String(failure.rawTotal) }),
          },
        )
      }
    }
  }

  /** Rows of empty images an older version accepted: there is nothing in them to flash. */
  private removeEmptyImages(): void {
    const empty = this.db.prepare('SELECT sha256 FROM images WHERE size_bytes = 0').all() as Array<{
      sha256: string
    }>
    for (const { sha256 } of empty) {
      this.db.prepare('DELETE FROM images WHERE sha256 = ?').run(sha256)
      rmSync(this.pathOf(sha256), { force: true })
    }
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
    { onProgress, signal, mayExceedLimit, name }: ImportOptions,
  ): Promise<Extract<ImportMessage, { kind: 'done' }>> {
    if (signal?.aborted) return Promise.reject(cancelled(source))
    const limit = this.settings.get().sizeLimitBytes
    const job: ImportJob = {
      source,
      target,
      format,
      // The most a library import can take: the limit less what no eviction frees.
      maxRawBytes: limit === null || mayExceedLimit ? null : Math.max(0, limit - this.plan(0).keptBytes),
      diskReserveBytes: this.diskReserveBytes,
    }
    return new Promise((resolve, reject) => {
      const worker = new Worker(workerUrl, { workerData: job })
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
          reject(this.importFailure(source, format, message, name ?? rawImageName(basename(source))))
        }
      })
      worker.on('error', (error) => {
        settle()
        reject(new AppError('internal', `The image import of ${basename(source)} crashed: ${error.message}`))
      })
    })
  }
}

/** The one refusal of an empty image, for imports and flashes alike. */
export function emptyImage(name: string, packed: boolean): AppError {
  return new AppError(
    'invalid_input',
    `${name} is empty${packed ? ' once unpacked' : ''}: there is nothing in it to store or flash.`,
    'Check that the file is the complete disk image: an interrupted download or copy can leave an empty file.',
  )
}

/**
 * Whether the source changed while it was read (still being written, truncated, replaced): its
 * size or modification time differ from the start, or fewer or more bytes were read than it had.
 */
async function sourceChange(
  source: string,
  before: Stats,
  bytesRead?: number,
): Promise<AppError | undefined> {
  const after = await stat(source).catch(() => null)
  const unchanged =
    after !== null &&
    after.size === before.size &&
    after.mtimeMs === before.mtimeMs &&
    (bytesRead === undefined || bytesRead === before.size)
  if (unchanged) return undefined
  const end = after === null ? 'gone' : formatBytes(after.size)
  const read = bytesRead === undefined || bytesRead === before.size ? '' : `, ${formatBytes(bytesRead)} read`
  return new AppError(
    'conflict',
    `${basename(source)} changed while it was being imported (${formatBytes(before.size)} at the start, ${end} at the end${read}); nothing was kept.`,
    'Wait until whatever writes the file (a download, a copy) has finished, then import it again.',
    {
      sizeAtStart: String(before.size),
      ...(after ? { sizeAtEnd: String(after.size) } : {}),
      ...(bytesRead === undefined ? {} : { bytesRead: String(bytesRead) }),
    },
  )
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
