// The transfer endpoints: start (`opt=set&type=flash|firmware`), status (`opt=get&type=flash|firmware`),
// `POST /api/bmc/upload/{handle}` and `GET /api/bmc/upload/{any}/cancel`. None of them use the
// envelope, and every error is HTTP 500 with a plain-text body (see the reference §3.1, §4).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import type { BoardState } from './board-state.ts'
import type { FirmwareProfile } from './firmware-profiles.ts'
import type {
  FlashFault,
  Transfer,
  TransferPacing,
  TransferPhase,
  TransferRequest,
  TransferResult,
  TransferSource,
} from './flash-worker.ts'
import type { Reply } from './http-reply.ts'
import { osFromImageHead } from './image-os.ts'
import { bareJson, emptyReply, plainText, sendReply } from './http-reply.ts'
import { MultipartError, multipartBoundary, openFirstPart } from './multipart-parser.ts'
import type { QueryParams } from './request-params.ts'
import { nodeParam } from './request-params.ts'
import type { TransferSlot } from './transfer-slot.ts'

export interface FlashContext {
  board: BoardState
  profile: FirmwareProfile
  slot: TransferSlot
  uploadWindowMs: number
  /** How long bmcd holds a pre-empted upload before answering "transfer canceled" (5 s). */
  preemptedUploadReplyMs: number
  /** The fault armed for the next transfer, if any; taking it disarms it. */
  takeFault(): FlashFault | undefined
}

const failure = (message: string) => plainText(500, message)

export function flashStatus(slot: TransferSlot): Reply {
  return bareJson(slot.status())
}

export async function startTransfer(ctx: FlashContext, query: QueryParams): Promise<Reply> {
  const { profile } = ctx
  const type = query.get('type')
  let node: number | undefined
  let processName: string
  if (type === 'firmware') {
    processName = profile.firmwareProcessName
  } else if (type === 'flash') {
    const parsed = nodeParam(query)
    if (typeof parsed !== 'number') return failure(parsed.error)
    node = parsed
    processName = profile.nodeProcessName(node + 1)
  } else {
    return failure("`type` should equal 'firmware' or 'flash'")
  }

  const file = query.get('file')
  if (file === undefined) return failure('Invalid `file` query parameter')
  // The virtual BMC has no file system of its own to flash from.
  if (query.has('local')) return failure(`Failed to ${file}: No such file or directory (os error 2)`)
  const sha256 = parseSha256(query.get('sha256'))
  if (typeof sha256 === 'string') return failure(sha256)

  let source: TransferSource
  let size: number
  let fileName = file
  if (profile.fetchesUrls && file.startsWith('http')) {
    const fetched = await fetchSource(file)
    if (typeof fetched === 'string') return failure(fetched)
    ;({ source, size, fileName } = fetched)
  } else {
    const length = query.get('length')
    if (length === undefined) return failure('Invalid `length` query parameter')
    if (!/^\d+$/.test(length) || BigInt(length) > 2n ** 64n - 1n)
      return failure('`length` parameter is not a number')
    size = Number(length)
    source = { kind: 'upload', windowMs: ctx.uploadWindowMs }
  }

  const transfer = launchTransfer(
    ctx,
    {
      node,
      processName,
      fileName,
      size,
      expectedSha256: sha256,
      // A firmware image goes to a RAM disk and through osupdate; only node flashes read back.
      verify: node !== undefined && (!profile.honoursSkipCrc || !query.has('skip_crc')),
      decompressXz: profile.decompressesXz && fileName.endsWith('.xz'),
      source,
    },
    ctx.takeFault(),
  )
  return bareJson({ handle: transfer.request.id })
}

/** Starts a transfer in the slot and records its outcome on the node (or as the firmware upload). */
function launchTransfer(
  ctx: FlashContext,
  request: Omit<TransferRequest, 'id'> & { node: number | undefined },
  fault: FlashFault | undefined,
  pacing?: TransferPacing,
): Transfer {
  const { board } = ctx
  const { node, ...transferRequest } = request
  // The worker's first step: the node goes down before any data arrives.
  if (node !== undefined) board.powerOffForFlash(node)
  const onFinish = (result: TransferResult) => {
    const os = osFromImageHead(result.head)
    const image = {
      fileName: request.fileName,
      ...(os ? { os } : {}),
      sha256: result.sha256,
      bytesWritten: result.bytesWritten,
      verified: result.verified,
      outcome: result.outcome,
      ...(result.error === undefined ? {} : { error: result.error }),
    }
    if (node === undefined) {
      board.firmwareUpload = image
    } else {
      board.powerOffForFlash(node)
      board.recordFlash(node, image)
    }
  }
  let preempting: NodeJS.Timeout | undefined
  const onPhase =
    fault?.kind === 'preempt'
      ? (phase: TransferPhase) => {
          if (phase === fault.during) {
            preempting = setTimeout(() => otherClientTransfer(ctx, fault), fault.afterMs ?? 0)
            preempting.unref()
          }
          // Finished before the other client came: nothing to pre-empt any more.
          if (phase === 'finished') clearTimeout(preempting)
        }
      : undefined
  return ctx.slot.start(transferRequest, fault, onFinish, onPhase, pacing)
}

/** What another client's flash looks like to the BMC: a small image sent in one piece. */
function otherClientTransfer(ctx: FlashContext, fault: Extract<FlashFault, { kind: 'preempt' }>): void {
  const node = (fault.node ?? 4) - 1
  const size = fault.size ?? 1000
  launchTransfer(
    ctx,
    {
      node,
      processName: ctx.profile.nodeProcessName(node + 1),
      fileName: 'other-client.img',
      size,
      expectedSha256: undefined,
      verify: true,
      decompressXz: false,
      source: { kind: 'stream', body: oneChunk(new Uint8Array(size).fill(0x5a)) },
    },
    undefined,
    fault.unpaced
      ? { ...ctx.slot.pacing, writeBytesPerSecond: undefined, verifyBytesPerSecond: undefined }
      : undefined,
  )
}

export function cancelTransfers(slot: TransferSlot): Reply {
  slot.cancelAll()
  return emptyReply(200)
}

/** Streams the first multipart part into the transfer; the request is read at the writer's pace. */
export async function handleUpload(
  ctx: FlashContext,
  handleText: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (!/^\d+$/.test(handleText) || Number(handleText) >= 2 ** 32) {
    return sendReply(res, plainText(404, `can not parse "${handleText}" to a u32`), { close: true })
  }
  const { slot } = ctx
  const transfer = slot.takeUpload(Number(handleText))
  if (typeof transfer === 'string') return sendReply(res, failure(transfer), { close: true })

  // The request must survive the part generator finishing early: the reply still has to go out.
  const body = req.iterator({ destroyOnReturn: false }) as AsyncIterator<Buffer>
  let part: Awaited<ReturnType<typeof openFirstPart>>
  try {
    const boundary = multipartBoundary(req.headers['content-type'])
    if (boundary === undefined) throw new MultipartError('not multipart/form-data')
    part = await openFirstPart(body, boundary)
  } catch {
    // bmcd drops the byte channel here, so the worker sees a clean end of data after zero bytes.
    void transfer.provideUpload(emptyStream(), { enforceLength: false })
    return sendReply(res, failure('Multipart form invalid'), { close: true })
  }

  const outcome = await transfer.provideUpload(part.body, { enforceLength: true })
  if (outcome.ok) return sendReply(res, emptyReply(200))
  // A pre-empted worker's own error is suppressed, so bmcd waits out its 5 s for one before
  // answering; meanwhile it keeps taking (and dropping) what the client still sends.
  if (transfer.abortReason === 'preempted') {
    req.resume()
    const closed = new Promise<'closed'>((resolve) => req.socket.once('close', () => resolve('closed')))
    if ((await Promise.race([sleep(ctx.preemptedUploadReplyMs, 'answer' as const), closed])) === 'closed')
      return
    return sendReply(res, failure('transfer canceled'), { close: true })
  }
  sendReply(res, failure(outcome.message ?? slot.errorMessage() ?? 'transfer canceled'), { close: true })
}

async function* oneChunk(chunk: Uint8Array): AsyncGenerator<Uint8Array, void, undefined> {
  yield chunk
}

async function* emptyStream(): AsyncGenerator<Buffer, void, undefined> {}

/** bmcd decodes with the `hex` crate: any even number of hex digits passes here. */
function parseSha256(value: string | undefined): Buffer | undefined | string {
  if (value === undefined) return undefined
  const prefix = '`sha256` parameter contains invalid hex values: '
  if (value.length % 2 !== 0) return `${prefix}Odd number of digits`
  const bad = /[^0-9a-fA-F]/.exec(value)
  if (bad) return `${prefix}Invalid character '${bad[0]}' at position ${bad.index}`
  return Buffer.from(value, 'hex')
}

/** FW 2.1 fetches `http…` sources itself; the start request waits for the response headers. */
async function fetchSource(
  file: string,
): Promise<{ source: TransferSource; size: number; fileName: string } | string> {
  let url: URL
  try {
    url = new URL(file)
  } catch (error) {
    return `${file} could not be parsed to a url object: ${(error as Error).message}`
  }
  let response: Response
  try {
    response = await fetch(url)
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message
    return `Failed to http file request error: ${cause}`
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel()
    return `Failed to http file request error: HTTP status ${response.status} for url (${url.href})`
  }
  const length = response.headers.get('content-length')
  if (length === null || !/^\d+$/.test(length)) {
    await response.body.cancel()
    return 'no content-length field in http response'
  }
  const fileName = decodeURIComponent(url.pathname.split('/').pop() ?? '')
  return { source: { kind: 'stream', body: response.body }, size: Number(length), fileName }
}
