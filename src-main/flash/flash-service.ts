// Flash jobs: accepted at once, images prepared as soon as they are queued (in parallel with a
// running flash), and written one after another per board — the BMC has one transfer slot and a
// second request would cancel the first. Every change is published as a flash.progress event and
// every outcome is recorded in the history. From queued to finished a flash holds its cached image,
// so no process deletes or evicts it before its turn (docs/flashing.md).
import { randomUUID } from 'node:crypto'
import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import type { z } from 'zod'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { flashRequestSchema } from '../../src-shared/flash/flash-schemas.ts'
import {
  finishedPhases,
  type FlashImageSource,
  type FlashJob,
  type FlashPhase,
} from '../../src-shared/flash/flash-schemas.ts'
import { createSpeedMeter } from '../../src-shared/progress/progress.ts'
import type { BmcConnector } from '../bmc/bmc-connector.ts'
import type { EventBus } from '../core/event-bus.ts'
import { imageFileNameProblem } from '../../src-shared/images/image-file-names.ts'
import { detectImageFormat } from '../images/image-formats.ts'
import { emptyImage, type ImageCache } from '../images/image-cache.ts'
import type { FlashHistory } from './flash-history.ts'
import { FlashFailure, runFlash, type PreparedImage } from './flash-run.ts'

type FlashRequest = z.output<typeof flashRequestSchema>

interface Running {
  job: FlashJob
  abort: AbortController
}

export interface FlashServiceOptions {
  /** Narrow on purpose: the CLI flashes boards that are not saved (--bmc URL) through this too. */
  boards: { get(ref: string): Promise<{ id: string; name: string }> }
  connector: Pick<BmcConnector, 'client'>
  images: ImageCache
  /** Absent for a BMC that is not a saved board (the CLI's --bmc URL): nothing is recorded. */
  history?: Pick<FlashHistory, 'begin' | 'progress' | 'record' | 'recoverInterrupted' | 'isLeftoverTransfer'>
  events: EventBus
  pollIntervalMs?: number
}

export class FlashService {
  private readonly options: FlashServiceOptions
  private readonly jobs = new Map<string, Running>()
  /** The tail of each board's queue: the next write starts when it settles. */
  private readonly boardQueues = new Map<string, Promise<void>>()

  constructor(options: FlashServiceOptions) {
    this.options = options
    // Flashes whose process died since (killed, crashed) get their history row now.
    options.history?.recoverInterrupted()
  }

  async start(request: FlashRequest): Promise<FlashJob> {
    const board = await this.options.boards.get(request.boardId)
    const queued = [...this.jobs.values()].find(
      ({ job }) =>
        job.boardId === board.id && job.node === request.node && !finishedPhases.includes(job.phase),
    )
    if (queued) {
      throw new AppError(
        'conflict',
        `Node ${request.node} of board "${board.name}" already has a flash ${queued.job.phase === 'queued' ? 'queued' : 'running'} (${queued.job.imageName}).`,
        'Wait for it, or cancel it first.',
      )
    }
    // Check the image before accepting the job, so a wrong path is an immediate, clear error.
    const imageName = await this.describeImage(request.image)
    const job: FlashJob = {
      id: randomUUID(),
      boardId: board.id,
      boardName: board.name,
      node: request.node,
      imageName,
      imageSizeBytes: null,
      imageSha256: null,
      verify: request.verify,
      powerOnAfter: request.powerOnAfter,
      phase: 'queued',
      progress: null,
      message: null,
      failedPhase: null,
      verified: false,
      queuedAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
    }
    const running: Running = { job, abort: new AbortController() }
    if (request.image.kind === 'cached') this.holdCached(job, request.image.sha256)
    this.jobs.set(job.id, running)
    this.publish(job)

    const prepared = this.prepare(running, request.image)
    // Awaited when the job's turn comes; until then a failed preparation must not be an unhandled
    // rejection (which ends the process), and a job cancelled while queued never awaits it at all.
    prepared.catch(() => {})
    const previous = this.boardQueues.get(board.id) ?? Promise.resolve()
    const done = previous.then(() => this.write(running, prepared))
    this.boardQueues.set(board.id, done)
    void done.finally(() => {
      if (this.boardQueues.get(board.id) === done) this.boardQueues.delete(board.id)
    })
    return job
  }

  cancel(jobId: string): FlashJob {
    const running = this.jobs.get(jobId)
    if (!running)
      throw new AppError('not_found', `No flash job ${jobId} is known.`, 'List the flash jobs to see them.')
    running.abort.abort()
    // A flash that has not reached the BMC yet ends now, not when its turn would have come.
    if (running.job.startedAt === null && !finishedPhases.includes(running.job.phase)) {
      this.finish(running, {
        phase: 'cancelled',
        failedPhase: running.job.phase,
        message: `The flash of node ${running.job.node} was cancelled before it started; nothing was written.`,
      })
    }
    return running.job
  }

  list(): FlashJob[] {
    return [...this.jobs.values()].map(({ job }) => job)
  }

  /** Cancels every flash and waits for them to end: the core is shutting down. */
  async cancelAll(): Promise<void> {
    for (const { job } of this.jobs.values()) if (!finishedPhases.includes(job.phase)) this.cancel(job.id)
    await this.idle()
  }

  /** Resolves when every queued flash has finished (for the CLI and tests). */
  async idle(): Promise<void> {
    while (this.boardQueues.size > 0) await Promise.allSettled([...this.boardQueues.values()])
  }

  private async describeImage(source: FlashImageSource): Promise<string> {
    if (source.kind === 'cached') {
      const { images } = this.options
      const cached = images.find(source.sha256)
      if (!cached) throw new AppError('not_found', `No image ${source.sha256.slice(0, 12)}… is in the cache.`)
      const file = await stat(images.pathOf(cached.sha256)).catch(() => null)
      if (cached.sizeBytes === 0 || file?.size === 0) {
        throw new AppError(
          'invalid_input',
          `${cached.name} in the image library is empty: there is nothing in it to flash.`,
          'Delete it from the library and import the complete image again.',
        )
      }
      if (file?.size !== cached.sizeBytes) {
        throw new AppError(
          'not_found',
          `The file of ${cached.name} is missing from the image library or has the wrong size.`,
          'Delete it from the library and import the image again.',
        )
      }
      return cached.name
    }
    const info = await stat(source.path).catch(() => null)
    if (!info?.isFile()) {
      throw new AppError(
        'invalid_input',
        `${source.path} is not a readable file.`,
        'Check the path and try again.',
      )
    }
    const problem = imageFileNameProblem(basename(source.path), 'flash')
    if (problem) throw new AppError('invalid_input', problem.message, problem.hint)
    if (info.size === 0) throw emptyImage(basename(source.path), false)
    return basename(source.path)
  }

  /** Holds a cached image for a job; the image may have gone since describeImage looked. */
  private holdCached(job: FlashJob, sha256: string): void {
    const { images } = this.options
    images.hold(sha256, job.id, holdPurpose(job))
    if (!images.find(sha256)) {
      images.release(job.id)
      throw new AppError('not_found', `No image ${sha256.slice(0, 12)}… is in the cache.`)
    }
  }

  /** Makes the raw bytes ready: compressed images are unpacked into the cache once. */
  private async prepare(running: Running, source: FlashImageSource): Promise<PreparedImage> {
    const { images } = this.options
    if (source.kind === 'cached') {
      const cached = images.find(source.sha256)!
      images.touch(cached.sha256)
      return {
        path: images.pathOf(cached.sha256),
        name: cached.name,
        sizeBytes: cached.sizeBytes,
        sha256: cached.sha256,
      }
    }
    if ((await detectImageFormat(source.path)) === 'raw') {
      const { size } = await stat(source.path)
      return { path: source.path, name: basename(source.path), sizeBytes: size, sha256: null }
    }
    const meter = createSpeedMeter()
    this.update(running, { phase: 'preparing', message: 'Unpacking the image into the cache' })
    // A flash is never refused for the cache limit: its image may go over it (the cache evicts what
    // it can); only a lack of disk space stops it.
    const cached = await images.import(source.path, {
      mayExceedLimit: true,
      hold: { holder: running.job.id, purpose: holdPurpose(running.job) },
      signal: running.abort.signal,
      onProgress: (p) =>
        this.update(running, {
          phase: 'preparing',
          progress: meter.sample(Date.now(), p.packedBytes, p.packedTotal),
        }),
    })
    // Cancelled while the import was being admitted: finish() has already released the job's hold.
    if (finishedPhases.includes(running.job.phase)) images.release(running.job.id)
    return {
      path: images.pathOf(cached.sha256),
      name: cached.name,
      sizeBytes: cached.sizeBytes,
      sha256: cached.sha256,
    }
  }

  private async write(running: Running, preparing: Promise<PreparedImage>): Promise<void> {
    const { job } = running
    let phase: FlashPhase = job.phase
    if (finishedPhases.includes(job.phase)) return
    try {
      const image = await preparing
      if (finishedPhases.includes(job.phase)) return
      this.update(running, {
        imageName: image.name,
        imageSizeBytes: image.sizeBytes,
        imageSha256: image.sha256,
      })
      if (running.abort.signal.aborted)
        throw new AppError('cancelled', `The flash of node ${job.node} was cancelled before it started.`)
      const client = await this.options.connector.client(job.boardId)
      const meter = createSpeedMeter()
      this.update(running, { startedAt: new Date().toISOString() })
      const { history } = this.options
      // Another process may have died mid-flash since this one started.
      history?.recoverInterrupted()
      history?.begin(job)
      const result = await runFlash({
        client,
        node: job.node,
        image,
        verify: job.verify,
        powerOnAfter: job.powerOnAfter,
        signal: running.abort.signal,
        ...(this.options.pollIntervalMs ? { pollIntervalMs: this.options.pollIntervalMs } : {}),
        ...(history
          ? {
              onHandle: (handle: number) => history.progress(job.id, { handle }),
              isLeftoverTransfer: (handle: number) => history.isLeftoverTransfer(job.boardId, handle),
            }
          : {}),
        report: (update) => {
          if (update.phase !== phase) history?.progress(job.id, { phase: update.phase })
          phase = update.phase
          this.update(running, {
            phase: update.phase,
            progress: meter.sample(Date.now(), update.bytesDone, update.bytesTotal),
            ...(update.message ? { message: update.message } : {}),
          })
        },
      })
      this.finish(running, {
        phase: 'done',
        imageSha256: result.sha256,
        verified: result.verified,
        message: result.verified
          ? `Written and verified by the BMC${job.powerOnAfter ? '; node powered on' : ''}.`
          : `Written, not verified (verification was turned off)${job.powerOnAfter ? '; node powered on' : ''}.`,
      })
    } catch (error) {
      const appError = error instanceof AppError ? error : new AppError('internal', String(error))
      // The job's own phase, not the one write() began in: preparation runs alongside (a job at the
      // head of the queue is already preparing when its write begins).
      const failedPhase = error instanceof FlashFailure ? error.phase : job.phase
      this.finish(running, {
        phase: appError.code === 'cancelled' ? 'cancelled' : 'failed',
        failedPhase,
        message: appError.hint ? `${appError.message} ${appError.hint}` : appError.message,
      })
    }
  }

  private update(running: Running, patch: Partial<FlashJob>): void {
    // A finished job stays as it ended: late progress of an unpacking worker, or the failure of a
    // preparation that cancel() already ended, must not revive or rewrite it.
    if (finishedPhases.includes(running.job.phase)) return
    Object.assign(running.job, patch)
    this.publish(running.job)
  }

  private finish(running: Running, patch: Partial<FlashJob>): void {
    // Ends (and records) a job once: cancel() finishes a job that has not started yet, and its
    // write() then sees the preparation fail too.
    if (finishedPhases.includes(running.job.phase)) return
    this.update(running, { ...patch, finishedAt: new Date().toISOString() })
    this.options.images.release(running.job.id)
    this.options.history?.record(running.job)
  }

  private publish(job: FlashJob): void {
    this.options.events.emit('flash.progress', { ...job })
  }
}

/** How a hold names its flash, e.g. in "cannot be deleted: the flash of node 2 on board rack-1 …". */
function holdPurpose(job: FlashJob): string {
  return `the flash of node ${job.node} on board "${job.boardName}"`
}
