// Downloads into the image cache. Each download is a row in SQLite plus a staging file
// downloads/<id>.part; only a complete file whose hash matches the published one is handed to the
// cache's import (which unpacks and hashes it), so nothing half-downloaded or unverified ever
// appears in the library. The row keeps the validators (ETag, Last-Modified, length), so pulling
// the same URL again, in this process or after a restart, continues from the bytes on disk.
// A few run at once; the rest wait in order.
import { randomUUID } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { rm, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Agent, interceptors, type Dispatcher } from 'undici'
import { AppError, type AppErrorData } from '../../src-shared/contract/app-error.ts'
import {
  finishedDownloadStates,
  type ChecksumSource,
  type DownloadJob,
  type DownloadState,
  type PullRequest,
} from '../../src-shared/images/download-schemas.ts'
import { rawImageName } from '../../src-shared/images/image-file-names.ts'
import { createSpeedMeter } from '../../src-shared/progress/progress.ts'
import type { EventBus } from '../core/event-bus.ts'
import { processExists } from '../core/process-alive.ts'
import type { Db } from '../store/database.ts'
import { resolveChecksum, type KnownChecksums } from './download-checksum.ts'
import { transferToFile, type Validators } from './download-transfer.ts'
import { isTransientFetchError } from './fetch-errors.ts'
import type { ImageCache } from './image-cache.ts'

export interface DownloadServiceOptions {
  db: Db
  cache: ImageCache
  dataDir: string
  events: EventBus
  /** Connect, answer and stall timeout of every request. */
  timeoutMs?: number
  /** How often a lost connection is retried (with Range) before the job fails. */
  retries?: number
  retryDelayMs?: number
  knownChecksums?: KnownChecksums
  now?: () => Date
}

interface DownloadRow {
  id: string
  url: string
  name: string
  expected_sha256: string | null
  checksum_url: string | null
  image_os: string | null
  image_version: string | null
  image_arch: string | null
  state: DownloadState
  bytes_done: number
  bytes_total: number | null
  etag: string | null
  last_modified: string | null
  image_sha256: string | null
  error_code: string | null
  error_message: string | null
  error_hint: string | null
  created_at: string
  updated_at: string
}

interface Active {
  job: DownloadJob
  request: PullRequest
  abort: AbortController
  /** Why the abort happened: a cancel discards the bytes, an interrupt keeps them. */
  stopping: 'cancel' | 'interrupt' | null
  finished: Promise<DownloadJob>
  settle(job: DownloadJob): void
}

const activeStates: readonly DownloadState[] = ['queued', 'downloading', 'importing']

export class DownloadService {
  readonly stagingDir: string
  private readonly options: DownloadServiceOptions
  private readonly db: Db
  private readonly dispatcher: Dispatcher
  private readonly agent: Agent
  private readonly timeoutMs: number
  private readonly active = new Map<string, Active>()
  private readonly queue: string[] = []
  private running = 0
  private closed = false

  constructor(options: DownloadServiceOptions) {
    this.options = options
    this.db = options.db
    this.timeoutMs = options.timeoutMs ?? 30_000
    this.stagingDir = join(options.dataDir, 'downloads')
    mkdirSync(this.stagingDir, { recursive: true })
    this.agent = new Agent({ connect: { timeout: this.timeoutMs } })
    this.dispatcher = this.agent.compose(interceptors.redirect({ maxRedirections: 5 }))
    this.sweepStaging()
  }

  /** Starts (or joins, or resumes) the download of a URL; resolves the job at once. */
  pull(request: PullRequest): DownloadJob {
    const running = [...this.active.values()].find(
      (entry) => entry.job.url === request.url && !finishedDownloadStates.includes(entry.job.state),
    )
    if (running) return running.job
    const previous = this.resumableRow(request.url)
    const timestamp = this.timestamp()
    const name = request.name ?? nameFromUrl(request.url)
    let id: string
    if (previous) {
      const owner = this.liveOwner(previous.id)
      if (owner !== null) {
        throw new AppError(
          'conflict',
          `${previous.name} is already being downloaded by another Clusterdeck process (pid ${owner}).`,
          'Wait for it to finish, or stop that process; then pull again to continue from where it stopped.',
        )
      }
      id = previous.id
      this.db
        .prepare(
          // Pulling again without the image facts keeps the ones the first pull gave.
          `UPDATE downloads SET name = ?, expected_sha256 = ?, checksum_url = ?, image_os = COALESCE(?, image_os),
             image_version = COALESCE(?, image_version), image_arch = COALESCE(?, image_arch),
             state = 'queued', error_code = NULL, error_message = NULL, error_hint = NULL, updated_at = ? WHERE id = ?`,
        )
        .run(
          name,
          request.sha256 ?? null,
          request.checksumUrl ?? null,
          request.os ?? null,
          request.version ?? null,
          request.arch ?? null,
          timestamp,
          id,
        )
    } else {
      id = randomUUID()
      this.db
        .prepare(
          `INSERT INTO downloads (id, url, name, expected_sha256, checksum_url, image_os, image_version, image_arch, state, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)`,
        )
        .run(
          id,
          request.url,
          name,
          request.sha256 ?? null,
          request.checksumUrl ?? null,
          request.os ?? null,
          request.version ?? null,
          request.arch ?? null,
          timestamp,
          timestamp,
        )
    }
    let settle!: (job: DownloadJob) => void
    const finished = new Promise<DownloadJob>((resolve) => (settle = resolve))
    const entry: Active = {
      job: { ...this.jobFromRow(this.row(id)!), state: 'queued', error: null },
      request,
      abort: new AbortController(),
      stopping: null,
      finished,
      settle,
    }
    this.active.set(id, entry)
    this.queue.push(id)
    this.publish(entry)
    this.pump()
    return entry.job
  }

  /** Every download this data directory knows, newest first (finished ones: the last 50). */
  list(): DownloadJob[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM downloads WHERE state IN ('queued', 'downloading', 'importing', 'failed', 'interrupted')
         UNION SELECT * FROM (SELECT * FROM downloads ORDER BY created_at DESC LIMIT 50) ORDER BY created_at DESC`,
      )
      .all() as DownloadRow[]
    return rows.map((row) => this.active.get(row.id)?.job ?? this.jobFromRow(row))
  }

  get(id: string): DownloadJob {
    const entry = this.active.get(id)
    if (entry) return entry.job
    const row = this.row(id)
    if (!row)
      throw new AppError('not_found', `No download ${id} is known.`, 'List the downloads to see them.')
    return this.jobFromRow(row)
  }

  /** Resolves with the job once it has finished (done, failed, cancelled or interrupted). */
  wait(id: string): Promise<DownloadJob> {
    return this.active.get(id)?.finished ?? Promise.resolve(this.get(id))
  }

  /** Stops a download and discards what it fetched. */
  async cancel(id: string): Promise<DownloadJob> {
    const entry = this.active.get(id)
    if (entry && !finishedDownloadStates.includes(entry.job.state)) {
      entry.stopping = 'cancel'
      entry.abort.abort()
      const queued = this.queue.indexOf(id)
      if (queued >= 0) {
        this.queue.splice(queued, 1)
        await this.finish(entry, 'cancelled', null)
      }
      return entry.finished
    }
    const row = this.row(id)
    if (!row)
      throw new AppError('not_found', `No download ${id} is known.`, 'List the downloads to see them.')
    const owner = this.liveOwner(id)
    if (owner !== null) {
      throw new AppError(
        'conflict',
        `${row.name} is being downloaded by another Clusterdeck process (pid ${owner}).`,
        'Cancel it there.',
      )
    }
    if (row.state !== 'done') {
      await rm(this.partPath(id), { force: true })
      this.update(id, { state: 'cancelled' })
    }
    return this.get(id)
  }

  /** Stops every running download but keeps its bytes, to be resumed later (the app closes). */
  async interruptAll(): Promise<void> {
    const entries = [...this.active.values()].filter(
      (entry) => !finishedDownloadStates.includes(entry.job.state),
    )
    for (const entry of entries) {
      entry.stopping = 'interrupt'
      entry.abort.abort()
      const queued = this.queue.indexOf(entry.job.id)
      if (queued >= 0) {
        this.queue.splice(queued, 1)
        await this.finish(entry, 'interrupted', null)
      }
    }
    await Promise.all(entries.map((entry) => entry.finished))
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.interruptAll()
    await this.agent.close()
  }

  // ---- running ------------------------------------------------------------------------------

  private pump(): void {
    if (this.closed) return
    const limit = this.options.cache.settings.get().maxConcurrentDownloads
    while (this.running < limit && this.queue.length > 0) {
      const entry = this.active.get(this.queue.shift()!)!
      this.running++
      void this.run(entry).finally(() => {
        this.running--
        this.pump()
      })
    }
  }

  private async run(entry: Active): Promise<void> {
    const { job, request } = entry
    const partPath = this.partPath(job.id)
    const signal = entry.abort.signal
    let meter = createSpeedMeter()
    let lastEmit = 0
    let lastSaved = 0
    const progress = (bytesDone: number, bytesTotal: number | null) => {
      const now = Date.now()
      entry.job.progress = meter.sample(now, bytesDone, bytesTotal)
      if (now - lastEmit >= 250) {
        lastEmit = now
        this.publish(entry)
      }
      if (entry.job.state === 'downloading' && now - lastSaved >= 1000) {
        lastSaved = now
        this.update(job.id, { bytes_done: bytesDone })
      }
    }
    try {
      await writeFile(this.ownerPath(job.id), String(process.pid))
      this.setState(entry, 'downloading')
      const checksum = await resolveChecksum({
        url: request.url,
        ...(request.sha256 ? { sha256: request.sha256 } : {}),
        ...(request.checksumUrl ? { checksumUrl: request.checksumUrl } : {}),
        ...(this.options.knownChecksums ? { known: this.options.knownChecksums } : {}),
        dispatcher: this.dispatcher,
        timeoutMs: this.timeoutMs,
        signal,
      })
      entry.job.checksum = checksum
      this.update(job.id, { expected_sha256: checksum.sha256, checksum_url: checksum.url })

      await this.transfer(entry, progress)

      meter = createSpeedMeter()
      this.setState(entry, 'importing')
      const image = await this.options.cache.import(partPath, {
        name: job.name,
        sourceUrl: request.url,
        signal,
        ...(checksum.sha256 ? { expectedSha256: checksum.sha256 } : {}),
        ...(request.os ? { os: request.os } : {}),
        ...(request.version ? { osVersion: request.version } : {}),
        ...(request.arch ? { arch: request.arch } : {}),
        onProgress: (p) => progress(p.packedBytes, p.packedTotal),
      })
      await rm(partPath, { force: true })
      entry.job.imageSha256 = image.sha256
      this.update(job.id, { image_sha256: image.sha256 })
      await this.finish(entry, 'done', null)
    } catch (error) {
      await this.fail(entry, error)
    }
  }

  /** The HTTP part, retried with Range while a lost connection keeps making progress. */
  private async transfer(
    entry: Active,
    progress: (done: number, total: number | null) => void,
  ): Promise<void> {
    const retries = this.options.retries ?? 3
    let failures = 0
    for (;;) {
      const row = this.row(entry.job.id)!
      const validators: Validators | null =
        row.etag || row.last_modified || row.bytes_total !== null
          ? { etag: row.etag, lastModified: row.last_modified, totalBytes: row.bytes_total }
          : null
      const before = fileSize(this.partPath(entry.job.id))
      try {
        await transferToFile({
          url: entry.request.url,
          what: entry.job.name,
          partPath: this.partPath(entry.job.id),
          validators,
          dispatcher: this.dispatcher,
          timeoutMs: this.timeoutMs,
          signal: entry.abort.signal,
          onResponse: ({ validators: seen, offset }) => {
            if (seen.totalBytes !== null) this.options.cache.assertCouldFit(seen.totalBytes, entry.job.name)
            if (entry.job.resumedFromBytes === 0) entry.job.resumedFromBytes = offset
            this.update(entry.job.id, {
              etag: seen.etag,
              last_modified: seen.lastModified,
              bytes_total: seen.totalBytes,
              bytes_done: offset,
            })
          },
          onBytes: (done) => progress(done, this.row(entry.job.id)?.bytes_total ?? null),
        })
        this.update(entry.job.id, { bytes_done: fileSize(this.partPath(entry.job.id)) })
        return
      } catch (error) {
        this.update(entry.job.id, { bytes_done: fileSize(this.partPath(entry.job.id)) })
        if (entry.abort.signal.aborted || !isTransientFetchError(error)) throw error
        // Progress resets the count: a flaky link that keeps delivering is worth following.
        failures = fileSize(this.partPath(entry.job.id)) > before ? 1 : failures + 1
        if (failures > retries) throw error
        await sleep(this.options.retryDelayMs ?? 1000, undefined, { signal: entry.abort.signal }).catch(
          () => {},
        )
        if (entry.abort.signal.aborted) throw error
      }
    }
  }

  private async fail(entry: Active, error: unknown): Promise<void> {
    const partPath = this.partPath(entry.job.id)
    if (entry.stopping === 'cancel') {
      await rm(partPath, { force: true })
      return this.finish(entry, 'cancelled', null)
    }
    if (entry.stopping === 'interrupt') return this.finish(entry, 'interrupted', null)
    const appError =
      error instanceof AppError
        ? error
        : new AppError(
            'internal',
            `The download of ${entry.job.name} failed: ${error instanceof Error ? error.message : String(error)}`,
          )
    // A file that failed verification or does not unpack is worthless; a cut connection or a full
    // cache leaves bytes worth continuing from.
    if (
      appError.code === 'checksum_mismatch' ||
      appError.code === 'invalid_input' ||
      appError.code === 'not_found'
    ) {
      await rm(partPath, { force: true })
      this.update(entry.job.id, { bytes_done: 0, etag: null, last_modified: null, bytes_total: null })
    }
    return this.finish(entry, 'failed', appError.toData())
  }

  private async finish(entry: Active, state: DownloadState, error: AppErrorData | null): Promise<void> {
    await rm(this.ownerPath(entry.job.id), { force: true })
    entry.job.error = error
    this.update(entry.job.id, {
      state,
      error_code: error?.code ?? null,
      error_message: error?.message ?? null,
      error_hint: error?.hint ?? null,
    })
    entry.job.state = state
    entry.job.resumable = state !== 'done' && fileSize(this.partPath(entry.job.id)) > 0
    entry.job.updatedAt = this.timestamp()
    this.publish(entry)
    this.active.delete(entry.job.id)
    entry.settle({ ...entry.job })
  }

  private setState(entry: Active, state: DownloadState): void {
    entry.job.state = state
    this.update(entry.job.id, { state })
    this.publish(entry)
  }

  private publish(entry: Active): void {
    entry.job.updatedAt = this.timestamp()
    this.options.events.emit('images.downloadProgress', { ...entry.job })
  }

  // ---- persistence --------------------------------------------------------------------------

  private row(id: string): DownloadRow | undefined {
    return this.db.prepare('SELECT * FROM downloads WHERE id = ?').get(id) as DownloadRow | undefined
  }

  /** The latest unfinished download of a URL whose bytes are worth continuing from. */
  private resumableRow(url: string): DownloadRow | undefined {
    const row = this.db
      .prepare(
        `SELECT * FROM downloads WHERE url = ? AND state IN ('queued', 'downloading', 'importing', 'failed', 'interrupted')
         ORDER BY created_at DESC LIMIT 1`,
      )
      .get(url) as DownloadRow | undefined
    return row && fileSize(this.partPath(row.id)) > 0 ? row : undefined
  }

  private update(id: string, changes: Partial<DownloadRow>): void {
    const entries = Object.entries({ ...changes, updated_at: this.timestamp() })
    this.db
      .prepare(`UPDATE downloads SET ${entries.map(([column]) => `${column} = ?`).join(', ')} WHERE id = ?`)
      .run(...entries.map(([, value]) => value), id)
  }

  private jobFromRow(row: DownloadRow): DownloadJob {
    const onDisk = fileSize(this.partPath(row.id))
    // A row left "running" by a process that is gone was interrupted (the app quit or crashed).
    const state: DownloadState =
      activeStates.includes(row.state) && this.liveOwner(row.id) === null && !this.active.has(row.id)
        ? 'interrupted'
        : row.state
    const source: ChecksumSource = row.checksum_url ? 'checksum-file' : row.expected_sha256 ? 'given' : 'none'
    return {
      id: row.id,
      url: row.url,
      name: row.name,
      state,
      progress: {
        bytesDone: state === 'done' ? (row.bytes_total ?? row.bytes_done) : Math.max(onDisk, 0),
        bytesTotal: row.bytes_total,
        bytesPerSecond: 0,
        etaSeconds: null,
      },
      checksum:
        row.expected_sha256 || row.checksum_url
          ? { source, sha256: row.expected_sha256, url: row.checksum_url }
          : null,
      resumedFromBytes: 0,
      imageSha256: row.image_sha256,
      error: row.error_code
        ? ({
            code: row.error_code,
            message: row.error_message ?? '',
            ...(row.error_hint ? { hint: row.error_hint } : {}),
          } as AppErrorData)
        : null,
      resumable: state !== 'done' && state !== 'cancelled' && onDisk > 0,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }
  }

  // ---- staging files ------------------------------------------------------------------------

  private partPath(id: string): string {
    return join(this.stagingDir, `${id}.part`)
  }

  private ownerPath(id: string): string {
    return join(this.stagingDir, `${id}.owner`)
  }

  /** The pid of another live process downloading this row, or null. */
  private liveOwner(id: string): number | null {
    let pid: number
    try {
      pid = Number(readFileSync(this.ownerPath(id), 'utf8'))
    } catch {
      return null
    }
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null
    return processExists(pid) ? pid : null
  }

  /** Deletes staging files no download can continue from; never those another process writes. */
  private sweepStaging(): void {
    for (const file of readdirSync(this.stagingDir)) {
      const match = /^(.+)\.(part|owner)$/.exec(file)
      const id = match?.[1]
      if (!id || this.liveOwner(id) !== null) continue
      const row = this.row(id)
      const keep = match[2] === 'part' && row && row.state !== 'done' && row.state !== 'cancelled'
      if (!keep) rmSync(join(this.stagingDir, file), { force: true })
    }
  }

  private timestamp(): string {
    return (this.options.now?.() ?? new Date()).toISOString()
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

/** "…/Armbian_x.img.xz?raw=1" → "Armbian_x.img": what the library calls a downloaded image. */
export function nameFromUrl(url: string): string {
  const file = decodeURIComponent(basename(new URL(url).pathname))
  return rawImageName(file) || 'download.img'
}
