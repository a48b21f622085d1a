// One transfer (node flash or BMC firmware upgrade) as bmcd's upgrade worker runs it: wait for the
// data (an upload must start within the upload window), stream it through the optional `.xz`
// decompressor into a simulated eMMC paced at the configured speed, check the sha256 of the bytes
// as sent, then read back at verify speed. Nothing is stored: the raw bytes are only hashed and
// counted, so memory stays bounded whatever the image size.
import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { formatDecimalSize } from './human-format.ts'
import { imageHeadBytes } from './image-os.ts'
import { Throttle } from './throttle.ts'
import { decompressXz } from './xz-decompressor.ts'

export type TransferSource =
  | { kind: 'upload'; windowMs: number }
  /** Data the BMC fetches itself (a URL source); its length is already known. */
  | { kind: 'stream'; body: AsyncIterable<Uint8Array> }

export interface TransferRequest {
  id: number
  processName: string
  fileName: string
  /** The announced length: bytes as sent, i.e. compressed for `.xz`. */
  size: number
  expectedSha256: Buffer | undefined
  verify: boolean
  decompressXz: boolean
  source: TransferSource
}

export interface TransferPacing {
  writeBytesPerSecond: number | undefined
  verifyBytesPerSecond: number | undefined
  /** FW 2.1 counts the read-back in `bytes_written` (from 0 again); 2.0.x used a separate counter. */
  verifyResetsBytesWritten: boolean
}

/** Faults a test can arm for the next transfer. */
export type FlashFault =
  /** Fails once `afterBytes` raw bytes are written; 0 (the default) fails before any data is taken. */
  | { kind: 'write-error'; message: string; afterBytes?: number }
  /** The read-back finds a different CRC. */
  | { kind: 'verify-error' }
  /**
   * Another client (the web UI, tpi) starts a transfer of `size` bytes (default 1000) to `node`
   * (1–4, default 4) `afterMs` after this one enters the `during` phase: bmcd cancels this one
   * silently, and the other one usually ends in `Done` before the next poll. `unpaced` writes the
   * other image at once (a faster module), so even one of the same size ends within a poll.
   */
  | {
      kind: 'preempt'
      during: 'writing' | 'verifying'
      afterMs?: number
      size?: number
      node?: number
      unpaced?: boolean
    }

export interface TransferResult {
  outcome: 'done' | 'error' | 'cancelled'
  error?: string
  elapsedMs: number
  sha256: string
  bytesWritten: number
  verified: boolean
  /** The first bytes written (up to imageHeadBytes), for the node to recognise its OS. */
  head: Buffer
}

/** How the upload request ended; `message` is the response text when the transfer says it. */
export type UploadOutcome = { ok: true } | { ok: false; message?: string }

const writePieceBytes = 64 * 1024

class UploadIncompleteError extends Error {}

export type TransferPhase = 'waiting-for-data' | 'writing' | 'verifying' | 'finished'

export class Transfer {
  readonly request: TransferRequest
  bytesWritten = 0
  verifiedBytes = 0
  #phase: TransferPhase = 'waiting-for-data'
  /** Why the transfer was aborted: an explicit cancel, or another transfer taking the slot. */
  abortReason: 'cancelled' | 'preempted' | undefined
  readonly #pacing: TransferPacing
  readonly #onPhase: ((phase: TransferPhase) => void) | undefined
  readonly #abort = new AbortController()
  readonly #source = deferred<{ body: AsyncIterable<Buffer>; enforceLength: boolean }>()
  readonly #upload = deferred<UploadOutcome>()
  #uploadTaken = false
  #uploadSettled = false

  constructor(request: TransferRequest, pacing: TransferPacing, onPhase?: (phase: TransferPhase) => void) {
    this.request = request
    this.#pacing = pacing
    this.#onPhase = onPhase
  }

  get phase(): TransferPhase {
    return this.#phase
  }

  #enter(phase: TransferPhase): void {
    this.#phase = phase
    this.#onPhase?.(phase)
  }

  get aborted(): boolean {
    return this.#abort.signal.aborted
  }

  /** Claims the transfer for an upload request; returns why it cannot, if so. */
  takeUpload(): string | undefined {
    if (this.request.source.kind !== 'upload') {
      return 'cannot transfer bytes to worker. This transfer does not take an upload'
    }
    if (this.#uploadTaken) return 'cannot transfer bytes to worker. An upload is already in progress'
    this.#uploadTaken = true
    return undefined
  }

  /**
   * Hands the upload's part body to the worker. Resolves when the worker has taken all of it, or
   * when the transfer fails or is aborted. Without `enforceLength` the length is not checked, as
   * with bmcd after a malformed multipart body (it then "succeeds" with what it got).
   */
  provideUpload(
    body: AsyncIterable<Buffer>,
    { enforceLength }: { enforceLength: boolean },
  ): Promise<UploadOutcome> {
    this.#source.resolve({ body, enforceLength })
    return this.#upload.promise
  }

  /** Cancel or pre-emption: the worker stops, a running upload is answered at once. */
  abort(reason: 'cancelled' | 'preempted' = 'cancelled'): void {
    this.abortReason ??= reason
    this.#abort.abort()
    this.#settleUpload({ ok: false })
  }

  /** Runs to the end; never rejects. */
  async run(fault: FlashFault | undefined): Promise<TransferResult> {
    const started = performance.now()
    const signal = this.#abort.signal
    const rawHash = createHash('sha256')
    // The first bytes written, for the node to recognise its OS: one buffer, filled in place (only
    // the part written is ever read).
    const head = Buffer.allocUnsafe(imageHeadBytes)
    let headBytes = 0
    let verified = false
    const result = (outcome: TransferResult['outcome'], error?: string): TransferResult => ({
      outcome,
      ...(error === undefined ? {} : { error }),
      elapsedMs: performance.now() - started,
      sha256: rawHash.copy().digest('hex'),
      bytesWritten: this.bytesWritten,
      verified,
      head: head.subarray(0, headBytes),
    })

    try {
      // The worker powers the node down and looks for its USB device before it takes any data.
      await sleep(0, undefined, { signal })
      if (fault?.kind === 'write-error' && !fault.afterBytes) throw new Error(fault.message)
      const { body, enforceLength } = await this.#waitForSource(signal)
      this.#enter('writing')

      const incomingHash = createHash('sha256')
      let chunks = this.#guardLength(body, enforceLength, incomingHash)
      if (this.request.decompressXz) chunks = decompressXz(chunks)
      const throttle = new Throttle(this.#pacing.writeBytesPerSecond)
      for await (const chunk of chunks) {
        for (let offset = 0; offset < chunk.length; offset += writePieceBytes) {
          const piece = chunk.subarray(offset, offset + writePieceBytes)
          await throttle.consume(piece.length, signal)
          rawHash.update(piece)
          if (headBytes < imageHeadBytes) headBytes += piece.copy(head, headBytes)
          this.bytesWritten += piece.length
          if (fault?.kind === 'write-error' && this.bytesWritten >= (fault.afterBytes ?? 0)) {
            throw new Error(fault.message)
          }
        }
      }
      signal.throwIfAborted()

      const expected = this.request.expectedSha256
      if (expected) {
        const actual = incomingHash.digest()
        if (!actual.equals(expected)) {
          throw new Error(
            `sha256 checksum failed. Expected: ${expected.toString('hex')}, got: ${actual.toString('hex')}`,
          )
        }
      }

      if (this.request.verify) {
        this.#enter('verifying')
        await this.#readBack(signal)
        if (fault?.kind === 'verify-error') {
          const expectedCrc = BigInt(`0x${rawHash.copy().digest('hex').slice(0, 16)}`)
          throw new Error(`crc error. expected ${expectedCrc}, calculated ${expectedCrc ^ 0x5a5an}`)
        }
        verified = true
      }
      return result('done')
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      if (signal.aborted) return result('cancelled')
      if (error instanceof UploadIncompleteError) {
        this.#settleUpload({ ok: false, message })
        // bmcd cancels the transfer when an upload comes up short; a fetched source just fails.
        return this.request.source.kind === 'upload' ? result('cancelled') : result('error', message)
      }
      this.#settleUpload({ ok: false, message })
      return result('error', message)
    } finally {
      this.#enter('finished')
      this.#settleUpload({ ok: false })
    }
  }

  async #waitForSource(
    signal: AbortSignal,
  ): Promise<{ body: AsyncIterable<Buffer>; enforceLength: boolean }> {
    const source = this.request.source
    if (source.kind === 'stream') return { body: toBuffers(source.body), enforceLength: true }
    const window = new AbortController()
    try {
      return await Promise.race([
        this.#source.promise,
        sleep(source.windowMs, undefined, { signal: AbortSignal.any([signal, window.signal]) }).then(() => {
          throw new Error('Send timeout')
        }),
      ])
    } finally {
      window.abort()
    }
  }

  /** Counts the bytes as sent against the announced length and hashes them for the sha256 check. */
  async *#guardLength(
    body: AsyncIterable<Buffer>,
    enforceLength: boolean,
    incomingHash: ReturnType<typeof createHash>,
  ): AsyncGenerator<Buffer, void, undefined> {
    const size = this.request.size
    let received = 0
    const iterator = body[Symbol.asyncIterator]()
    try {
      for (;;) {
        let next: IteratorResult<Buffer>
        try {
          next = await iterator.next()
        } catch {
          // A broken connection or multipart body ends the part early, as bmcd reads it.
          throw new UploadIncompleteError(`missing ${formatDecimalSize(size - received)} bytes`)
        }
        if (next.done) break
        received += next.value.length
        if (enforceLength && received > size) {
          throw new Error(`received more than the announced length of ${size} bytes`)
        }
        incomingHash.update(next.value)
        yield next.value
      }
    } finally {
      await iterator.return?.()
    }
    if (enforceLength && received < size) {
      throw new UploadIncompleteError(`missing ${formatDecimalSize(size - received)} bytes`)
    }
    this.#settleUpload({ ok: true })
  }

  async #readBack(signal: AbortSignal): Promise<void> {
    const total = this.bytesWritten
    const progress = (bytes: number) => {
      this.verifiedBytes = bytes
      if (this.#pacing.verifyResetsBytesWritten) this.bytesWritten = bytes
    }
    progress(0)
    const rate = this.#pacing.verifyBytesPerSecond
    if (!rate) return progress(total)
    const started = performance.now()
    let done = 0
    while (done < total) {
      const remainingMs = ((total - done) * 1000) / rate
      await sleep(Math.max(1, Math.min(100, remainingMs)), undefined, { signal })
      done = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate))
      progress(done)
    }
  }

  #settleUpload(outcome: UploadOutcome): void {
    if (this.#uploadSettled) return
    this.#uploadSettled = true
    this.#upload.resolve(outcome)
  }
}

/** Promise.withResolvers, which the project's ES2023 lib does not declare yet. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((done) => (resolve = done))
  return { promise, resolve }
}

async function* toBuffers(body: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer, void, undefined> {
  for await (const chunk of body) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
}
