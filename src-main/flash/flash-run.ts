// One flash of a prepared raw image onto one node, as the BMC really behaves
// (turingpi-bmc-api.md §4): refuse when any client's transfer is running, keep other nodes out of
// flash mode, ask for the handle only with the bytes ready, stream at once with back-pressure,
// follow the BMC's own state to tell writing from verifying, and treat anything unexpected — a
// broken upload, an Error state, another client's transfer — as a failed flash.
import { createHash } from 'node:crypto'
import type { FlashState } from '../../src-shared/bmc/bmc-schemas.ts'
import type { NodeNumber } from '../../src-shared/bmc/node-number.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { FlashPhase } from '../../src-shared/flash/flash-schemas.ts'
import { formatBytes } from '../../src-shared/progress/progress.ts'
import type { BmcClient } from '../bmc/bmc-client.ts'
import { fileChange, fileIdentity, imageFileAltered, imageFileChanged } from './image-file-watch.ts'
import { readChunks } from './read-chunks.ts'

export interface PreparedImage {
  path: string
  name: string
  sizeBytes: number
  /** Known for cached images; for a raw file used in place it is computed while uploading. */
  sha256: string | null
}

export interface FlashRunOptions {
  client: BmcClient
  node: NodeNumber
  image: PreparedImage
  verify: boolean
  powerOnAfter: boolean
  signal: AbortSignal
  /** Called on every phase change and progress step: bytes done of the phase's total. */
  report(update: { phase: FlashPhase; bytesDone: number; bytesTotal: number; message?: string }): void
  pollIntervalMs?: number
  /** No progress for this long fails the flash. */
  stallTimeoutMs?: number
  /** Called with the BMC's transfer handle as soon as it is known (kept to recognise it later). */
  onHandle?(handle: number): void
  /** Whether a running transfer is one an interrupted flash of ours left behind. */
  isLeftoverTransfer?(handle: number): boolean
}

export interface FlashRunResult {
  verified: boolean
  sha256: string
}

/** A failure that knows the phase it happened in. */
export class FlashFailure extends AppError {
  readonly phase: FlashPhase

  constructor(phase: FlashPhase, error: AppError) {
    super(error.code, error.message, error.hint, error.details)
    this.phase = phase
  }
}

export async function runFlash(options: FlashRunOptions): Promise<FlashRunResult> {
  const { client, node, image, signal, report } = options
  const pollIntervalMs = options.pollIntervalMs ?? 1000
  const stallTimeoutMs = options.stallTimeoutMs ?? 90_000
  let phase: FlashPhase = 'preparing'
  const startedAt = Date.now()
  // Typed explicitly so that the compiler narrows after a call, as after a throw.
  const fail: (error: unknown) => never = (error) => {
    if (error instanceof FlashFailure) throw error
    const appError =
      error instanceof AppError ? error : new AppError('internal', String((error as Error)?.message ?? error))
    // A BMC reboot asked for in this app cuts every transfer; that, not the network, is the cause.
    if (appError.code !== 'cancelled' && client.rebootRequestedSince(startedAt))
      throw new FlashFailure(phase, rebootedDuringFlash(node, phase, appError))
    throw new FlashFailure(phase, appError)
  }
  const checkCancelled = () => {
    if (signal.aborted)
      fail(new AppError('cancelled', `The flash of node ${node} was cancelled before writing began.`))
  }

  // ---- preflight: nothing is touched on the BMC before these pass --------------------------
  report({ phase, bytesDone: 0, bytesTotal: image.sizeBytes, message: 'Checking the BMC is idle' })
  const { firmware, capabilities } = await client.firmware().catch(fail)
  let running = await client.flashState().catch(fail)
  if (running.state === 'transferring' && options.isLeftoverTransfer?.(running.id)) {
    // Our own transfer, left running (usually reading back) by a flash whose process died: nobody
    // is waiting for it, and this flash replaces it.
    report({
      phase,
      bytesDone: 0,
      bytesTotal: image.sizeBytes,
      message: `Cancelling the transfer an interrupted Clusterdeck flash left running on the BMC ("${running.processName}")`,
    })
    await client.cancelFlash().catch(fail)
    running = await client.flashState().catch(fail)
  }
  if (running.state === 'transferring') {
    fail(
      new AppError(
        'bmc_busy',
        `BMC busy: "${running.processName}" is already running (${formatBytes(running.bytesWritten)} of ${formatBytes(running.size)} written). A new flash would silently cancel it.`,
        'Wait for that transfer to finish (from the BMC web UI, tpi or another Clusterdeck), then flash again.',
      ),
    )
  }
  // bmcd writes to the first module it finds in USB-boot mode: no other node may sit there.
  const usb = await client.usb().catch(fail)
  if (usb.mode === 'flash' && usb.node !== node) {
    report({
      phase,
      bytesDone: 0,
      bytesTotal: image.sizeBytes,
      message: `Node ${usb.node} was in USB flash mode; switching it back to device mode so the BMC writes to node ${node}`,
    })
    await client.setUsb(usb.node, 'device', usb.route).catch(fail)
  }
  await client.clearUsbBoot().catch(fail)
  checkCancelled()

  // The prepared size is what the BMC is told to expect; the file must still have it.
  const fileBefore =
    (await fileIdentity(image.path)) ??
    fail(imageFileChanged(image.path, node, 'it was deleted or moved away'))
  if (fileBefore.size !== image.sizeBytes) {
    fail(
      imageFileChanged(
        image.path,
        node,
        `its size is ${formatBytes(fileBefore.size)}, not the ${formatBytes(image.sizeBytes)} it had when the flash was queued`,
      ),
    )
  }

  const skipVerify = !options.verify && capabilities.skipVerify
  const verifies = !skipVerify
  const verifyNote =
    !options.verify && !capabilities.skipVerify
      ? ` (firmware ${firmware.release} always verifies, so it will)`
      : ''

  // ---- write: handle, then the upload at once (the BMC waits 10 s at most) -----------------
  phase = 'writing'
  report({
    phase,
    bytesDone: 0,
    bytesTotal: image.sizeBytes,
    message: `Requesting a transfer for node ${node}${verifyNote}`,
  })
  const handle = await client
    .startFlash({
      node,
      fileName: image.name,
      length: image.sizeBytes,
      ...(image.sha256 && capabilities.sha256 ? { sha256: image.sha256 } : {}),
      skipVerify,
    })
    .catch(fail)
  const handleAt = performance.now()
  options.onHandle?.(handle)

  const uploadAbort = new AbortController()
  const onCancel = () => uploadAbort.abort()
  signal.addEventListener('abort', onCancel, { once: true })
  const hash = createHash('sha256')
  let lastMovement = Date.now()
  /** Why our own upload stopped: the file changed under it (not the network's fault). */
  let fileProblem: AppError | undefined
  /** The latest moment (this clock) at which the BMC was still known to run our transfer. */
  let aliveAt = handleAt
  async function* counted(source: AsyncIterable<Buffer>) {
    let sent = 0
    for await (const chunk of source) {
      sent += chunk.length
      if (sent > image.sizeBytes) break
      hash.update(chunk)
      lastMovement = Date.now()
      yield chunk
    }
    if (sent !== image.sizeBytes) {
      fileProblem = imageFileChanged(
        image.path,
        node,
        sent > image.sizeBytes
          ? `it grew beyond the ${formatBytes(image.sizeBytes)} announced to the BMC`
          : `it ended after ${formatBytes(sent)} of the ${formatBytes(image.sizeBytes)} announced to the BMC`,
      )
      throw fileProblem
    }
    // The BMC takes these bytes only after this moment, so our transfer was alive then.
    aliveAt = performance.now()
  }
  let uploadError: unknown
  let uploadDone = false
  const upload = client
    .upload(handle, counted(readChunks(image.path)), {
      length: image.sizeBytes,
      fileName: image.name,
      signal: uploadAbort.signal,
    })
    .then(
      () => (uploadDone = true),
      (error: unknown) => (uploadError = error),
    )

  /** After the upload: did the file change, or do the bytes sent miss the hash it was cached under? */
  async function checkFileAfter(): Promise<AppError | null> {
    const changed = fileChange(fileBefore, await fileIdentity(image.path))
    if (changed) return imageFileChanged(image.path, node, changed)
    const sent = hash.copy().digest('hex')
    if (image.sha256 && sent !== image.sha256) return imageFileAltered(image.path, node, sent, image.sha256)
    return null
  }

  // ---- follow the BMC until Done or Error --------------------------------------------------
  let highestWritten = 0
  let lastWritten = -1
  let verifying = false
  let tailPollMs = 50
  report({
    phase,
    bytesDone: 0,
    bytesTotal: image.sizeBytes,
    message: `Writing ${formatBytes(image.sizeBytes)} to the eMMC of node ${node}`,
  })
  try {
    for (;;) {
      // Wake early when the upload settles, but once it has, a settled promise must not turn this
      // into a busy loop against the BMC. Right after the upload the BMC only flushes, so the
      // first polls come quickly (50 ms, doubling up to the interval) to report Done without delay.
      if (uploadDone || uploadError !== undefined) {
        await delay(Math.min(pollIntervalMs, tailPollMs))
        tailPollMs *= 2
      } else {
        await settledOrAfter(upload, pollIntervalMs)
      }
      if (signal.aborted) {
        const state = await client.flashState().catch(() => undefined)
        // Cancelling is global on the BMC: only ever cancel our own transfer.
        if (state?.state === 'transferring' && state.id === handle) {
          // The last look at the BMC tells where the cancel hit: a counter that went back (FW 2.1)
          // or reached the end (2.0.x) means the read-back had begun.
          const written = state.bytesWritten
          if (verifies && (written < highestWritten || written >= image.sizeBytes)) phase = 'verifying'
          await client.cancelFlash().catch(() => undefined)
        }
        fail(
          new AppError(
            'cancelled',
            `The flash of node ${node} was cancelled while ${phase === 'verifying' ? 'verifying' : 'writing'}. The node is powered off and its eMMC is only partly written.`,
            'Flash it again before booting it.',
          ),
        )
      }
      if (uploadError !== undefined) {
        const state = await client.flashState().catch(() => undefined)
        if (state?.state === 'transferring') {
          // Another client's transfer killed our upload.
          if (state.id !== handle) fail(preempted(state, node))
          // Ours, not yet noticed by the BMC: free the slot, or the next queued flash finds it busy.
          await client.cancelFlash().catch(() => undefined)
        }
        // Our own file stopped the upload: that, not the BMC's "missing bytes", is the cause.
        if (fileProblem) fail(fileProblem)
        // The BMC's own account of what went wrong is better than "connection reset" — except the
        // "cancelled by user" bmcd records itself when an upload comes up short: nobody cancelled.
        if (state?.state === 'error' && state.message !== 'cancelled by user')
          fail(bmcError(state.message, node))
        fail(uploadFailed(uploadError, node))
      }
      const polledAt = performance.now()
      const state: FlashState = await client.flashState().catch(fail)
      // Once the BMC has taken all the data only the read-back remains (FW 2.1 may not show its
      // counter reset yet): whatever else the state says ends the flash while verifying.
      if (uploadDone && verifies && !(state.state === 'transferring' && state.id === handle))
        phase = 'verifying'
      if (state.state === 'transferring') {
        if (state.id !== handle) fail(preempted(state, node))
        aliveAt = Math.max(aliveAt, polledAt)
        const written = state.bytesWritten
        if (written !== lastWritten) lastMovement = Date.now()
        // FW 2.1 resets bytes_written for the read-back; 2.0.x keeps it. Either way the read-back
        // follows once the BMC has taken all the data (it only flushes a few chunks first).
        if (!verifying && verifies && (written < highestWritten || uploadDone)) {
          verifying = true
          phase = 'verifying'
        }
        if (!verifying) highestWritten = Math.max(highestWritten, written)
        lastWritten = written
        // The BMC's own count, not bytes sent: socket buffers hold megabytes the eMMC has not seen.
        if (verifying) {
          report({
            phase,
            // 2.1's read-back count shows only once it fell below the written total; 0 = unknown.
            bytesDone: capabilities.skipVerify && written < highestWritten ? written : 0,
            bytesTotal: image.sizeBytes,
            message: 'The BMC is reading the eMMC back to check it',
          })
        } else {
          report({ phase, bytesDone: Math.min(written, image.sizeBytes), bytesTotal: image.sizeBytes })
        }
        // 2.0.x shows no read-back progress at all (bytes_written stays at the total for the
        // minutes a verify takes), so silence there is not a stall.
        const progressVisible = !(verifying && !capabilities.skipVerify)
        if (progressVisible && Date.now() - lastMovement > stallTimeoutMs) {
          await cancelTransfer(client, handle)
          fail(
            new AppError(
              'timeout',
              `The flash of node ${node} made no progress for ${stallTimeoutMs / 1000} s and was stopped.`,
              'Check the BMC (it may be out of memory or the module not detected), then flash again.',
            ),
          )
        }
        continue
      }
      if (state.state === 'error') {
        // A file changed under the upload explains a BMC error (a wrong hash, say) best.
        const problem = uploadDone ? await checkFileAfter() : null
        fail(
          problem
            ? new AppError(
                problem.code,
                `${problem.message} The BMC reported: ${state.message}`,
                problem.hint,
              )
            : bmcError(state.message, node),
        )
      }
      if (state.state === 'ready') {
        fail(
          new AppError(
            'bmc_error',
            `The BMC forgot the transfer for node ${node} (it may have restarted).`,
            'Flash again.',
          ),
        )
      }
      // Done carries no id, only the elapsed time and size of whichever transfer finished last. It
      // counts as ours only once our upload finished, when the size is ours, and unless it ran for
      // less time than we saw ours alive (from the handle to the last sign of it): a transfer
      // another client started after that (pre-empting ours, say during the read-back) cannot have
      // run longer than the gap since. Ours may be shorter than that gap — a small image at speed —
      // so the gap alone does not make a transfer foreign.
      const elapsedMs = state.elapsedSeconds * 1000
      if (state.size !== image.sizeBytes) fail(otherTransferDone(node, state.size, image.sizeBytes, phase))
      if (elapsedMs <= performance.now() - aliveAt && elapsedMs < aliveAt - handleAt)
        fail(unattributedDone(node, phase))
      if (!uploadDone) {
        await upload
        if (uploadError !== undefined) fail(fileProblem ?? uploadFailed(uploadError, node))
      }
      break
    }
  } finally {
    signal.removeEventListener('abort', onCancel)
    // A failed flash stops sending at once: a pre-empted upload is otherwise held open by the BMC
    // for seconds while the rest of the image keeps streaming into it.
    if (!uploadDone && uploadError === undefined) uploadAbort.abort()
  }

  const fileProblemAfter = await checkFileAfter()
  if (fileProblemAfter) fail(fileProblemAfter)
  const sha256 = hash.digest('hex')
  if (options.powerOnAfter) {
    phase = 'powering-on'
    report({
      phase,
      bytesDone: image.sizeBytes,
      bytesTotal: image.sizeBytes,
      message: `Powering node ${node} on`,
    })
    await client.setPower({ [node]: true }).catch(fail)
  }
  return { verified: verifies, sha256 }
}

async function cancelTransfer(client: BmcClient, handle: number): Promise<void> {
  const state = await client.flashState().catch(() => undefined)
  // Cancelling is global on the BMC: only ever cancel our own transfer.
  if (state?.state === 'transferring' && state.id === handle)
    await client.cancelFlash().catch(() => undefined)
}

function rebootedDuringFlash(node: NodeNumber, phase: FlashPhase, cause: AppError): AppError {
  return new AppError(
    'bmc_error',
    `The BMC was rebooted from Clusterdeck (a BMC reboot asked for while node ${node} was ${phase === 'verifying' ? 'being verified' : 'being flashed'}), which ended the flash: ${cause.message}`,
    `Node ${node} is powered off and not verified. Once the BMC is back (about a minute), flash it again.`,
  )
}

function bmcError(message: string, node: NodeNumber): AppError {
  if (message === 'Send timeout') {
    return new AppError(
      'bmc_error',
      `The BMC cancelled the flash of node ${node} with "Send timeout": the upload did not begin within the 10 s the BMC allows after it grants a transfer.`,
      'Clusterdeck starts the upload at once, so this computer or its connection to the BMC stalled (a busy machine, a slow disk, a congested network). Flash again; nothing was written.',
    )
  }
  const hint = /USB interface not found|not supported|No supported USB devices/i.test(message)
    ? `The BMC could not find node ${node}'s module over USB: check it is seated, is a CM4-class module or an RK1, and that no other node is in USB-boot mode.`
    : /sha256|crc/i.test(message)
      ? 'The written data did not match: the eMMC holds garbage now. Flash again; if it repeats, the module or the image may be faulty.'
      : 'Flash again; if it repeats, restart the BMC.'
  return new AppError('bmc_error', `The BMC reported an error while flashing node ${node}: ${message}`, hint)
}

function uploadFailed(error: unknown, node: NodeNumber): AppError {
  const reason = error instanceof AppError ? error.message : String((error as Error)?.message ?? error)
  return new AppError(
    error instanceof AppError && error.code === 'bmc_unreachable' ? 'bmc_unreachable' : 'bmc_error',
    `The upload to node ${node} broke off: ${reason}`,
    'Nothing was verified; the node is powered off with a partly written eMMC. Check the connection and flash again.',
  )
}

function otherTransferDone(node: NodeNumber, size: number, sent: number, phase: FlashPhase): AppError {
  return new AppError(
    'bmc_busy',
    `Another client started a transfer on the BMC while node ${node} was ${phase === 'verifying' ? 'being verified' : 'being written'}, which cancelled this flash: the BMC's last finished transfer is ${formatBytes(size)}, not the ${formatBytes(sent)} sent to node ${node}.`,
    `Node ${node} is not verified and its eMMC may be only partly written. Make sure no one else flashes this board (BMC web UI, tpi, another Clusterdeck), then flash again.`,
  )
}

function unattributedDone(node: NodeNumber, phase: FlashPhase): AppError {
  return new AppError(
    'bmc_busy',
    `The BMC reported a finished transfer that cannot have been the flash of node ${node}: it ran for less time than the flash had been ${phase === 'verifying' ? 'verifying' : 'writing'}. Another client likely started a transfer, which cancelled this flash.`,
    `Node ${node} is not verified. Make sure no one else flashes this board (BMC web UI, tpi, another Clusterdeck), then flash again.`,
  )
}

function preempted(state: Extract<FlashState, { state: 'transferring' }>, node: NodeNumber): AppError {
  return new AppError(
    'bmc_busy',
    `Another client started "${state.processName}" on the BMC, which cancelled the flash of node ${node}.`,
    'Only one transfer can run on a BMC at a time. Wait for the other one to finish, then flash again.',
  )
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Waits until the promise settles or the time is up, whichever is first; leaves no timer behind. */
function settledOrAfter(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    void promise.finally(() => {
      clearTimeout(timer)
      resolve()
    })
  })
}
