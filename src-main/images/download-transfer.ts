// One HTTP transfer of a download into its staging file, continuing from the bytes already there.
// A resumed request carries Range plus If-Range (a strong ETag, else Last-Modified), and the answer
// is checked against what the first attempt saw (ETag, Last-Modified, total length): a changed
// file or a server that ignores ranges starts the file over instead of splicing two versions.
import { createWriteStream } from 'node:fs'
import { stat, truncate } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import { request, type Dispatcher } from 'undici'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { describeUrl, fetchError } from './fetch-errors.ts'

/** What identifies the file being downloaded, recorded with the first response. */
export interface Validators {
  etag: string | null
  lastModified: string | null
  totalBytes: number | null
}

export type RestartReason = 'changed' | 'ignored-range' | 'bad-range'

export interface TransferOptions {
  url: string
  /** What messages call the file. */
  what: string
  partPath: string
  /** From an earlier attempt; null for a fresh download. */
  validators: Validators | null
  dispatcher: Dispatcher
  timeoutMs: number
  signal: AbortSignal
  /** Called once the server answered: the validators to record and where the transfer starts. */
  onResponse(info: { validators: Validators; offset: number; restarted: RestartReason | null }): void
  onBytes(bytesDone: number): void
}

export interface TransferResult {
  validators: Validators
  bytes: number
}

/** Downloads the rest of the file; resolves when the staging file holds all of it. */
export async function transferToFile(options: TransferOptions): Promise<TransferResult> {
  let offset = (await stat(options.partPath).catch(() => null))?.size ?? 0
  let restarted: RestartReason | null = null
  // At most one restart: a second would mean the server keeps contradicting itself.
  for (let attempt = 0; attempt < 2; attempt++) {
    const previous = options.validators
    const headers: Record<string, string> = { 'accept-encoding': 'identity' }
    if (offset > 0) {
      headers.range = `bytes=${offset}-`
      const ifRange =
        previous?.etag && !previous.etag.startsWith('W/') ? previous.etag : previous?.lastModified
      if (ifRange) headers['if-range'] = ifRange
    }
    const response = await send(options, headers)
    const validators = validatorsOf(response, previous)

    if (response.statusCode === 416 && offset > 0) {
      await response.body.dump()
      const total = totalFromContentRange(header(response, 'content-range'))
      if (total === offset && total === previous?.totalBytes && !changed(previous, validators)) {
        accept(options, response, { validators: previous, offset, restarted: null })
        return { validators: previous, bytes: offset }
      }
      ;({ offset, restarted } = await startOver(options, 'bad-range'))
      continue
    }
    if (response.statusCode === 206) {
      const range = parseContentRange(header(response, 'content-range'))
      const total = range?.total ?? null
      const reason: RestartReason | null =
        !range || range.start !== offset
          ? 'bad-range'
          : changed(previous, validators) || (previous?.totalBytes != null && total !== previous.totalBytes)
            ? 'changed'
            : null
      if (reason) {
        await response.body.dump()
        ;({ offset, restarted } = await startOver(options, reason))
        continue
      }
      const resumed = { ...validators, totalBytes: total }
      accept(options, response, { validators: resumed, offset, restarted })
      return { validators: resumed, bytes: await write(options, response, offset, resumed.totalBytes) }
    }
    if (response.statusCode === 200) {
      if (offset > 0) restarted = changed(previous, validators) ? 'changed' : 'ignored-range'
      const length = Number(header(response, 'content-length'))
      const fresh = { ...validators, totalBytes: Number.isFinite(length) && length >= 0 ? length : null }
      accept(options, response, { validators: fresh, offset: 0, restarted })
      return { validators: fresh, bytes: await write(options, response, 0, fresh.totalBytes) }
    }
    await response.body.dump().catch(() => {})
    throw statusError(options, response.statusCode)
  }
  throw new AppError(
    'download_failed',
    `The server of ${describeUrl(options.url)} answered a resumed download with a range it was not asked for, twice.`,
    'Try again later; if it persists the server does not support resuming correctly.',
  )
}

/** Hands the answer to the caller, who may still refuse it (e.g. it can never fit the cache). */
function accept(
  options: TransferOptions,
  response: Dispatcher.ResponseData,
  info: Parameters<TransferOptions['onResponse']>[0],
): void {
  try {
    options.onResponse(info)
  } catch (error) {
    response.body.destroy()
    throw error
  }
}

async function send(options: TransferOptions, headers: Record<string, string>) {
  try {
    return await request(options.url, {
      method: 'GET',
      headers,
      dispatcher: options.dispatcher,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      signal: options.signal,
    })
  } catch (error) {
    throw fetchError(error, { what: options.what, url: options.url, timeoutMs: options.timeoutMs })
  }
}

async function write(
  options: TransferOptions,
  response: Dispatcher.ResponseData,
  offset: number,
  totalBytes: number | null,
): Promise<number> {
  let done = offset
  options.onBytes(done)
  try {
    await pipeline(
      response.body,
      async function* count(source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          done += chunk.length
          options.onBytes(done)
          yield chunk
        }
      },
      // 'w' truncates a stale partial file when the transfer starts over.
      createWriteStream(options.partPath, { flags: offset > 0 ? 'a' : 'w' }),
      { signal: options.signal },
    )
  } catch (error) {
    throw fetchError(error, { what: options.what, url: options.url, timeoutMs: options.timeoutMs })
  }
  if (totalBytes !== null && done !== totalBytes) {
    // A server that closes early without an error: the bytes so far stay, the next try resumes.
    throw new AppError(
      'download_failed',
      `The connection to ${new URL(options.url).host} ended after ${done} of ${totalBytes} bytes of ${options.what}.`,
      'Try again: the download continues where it stopped.',
      { url: describeUrl(options.url), reason: 'connection-lost' },
    )
  }
  return done
}

async function startOver(
  options: TransferOptions,
  reason: RestartReason,
): Promise<{ offset: number; restarted: RestartReason }> {
  await truncate(options.partPath, 0).catch(() => {})
  options.validators = null
  return { offset: 0, restarted: reason }
}

function validatorsOf(response: Dispatcher.ResponseData, previous: Validators | null): Validators {
  return {
    etag: header(response, 'etag') ?? null,
    lastModified: header(response, 'last-modified') ?? null,
    totalBytes: previous?.totalBytes ?? null,
  }
}

/** True when the server identifies a different file than the one the partial bytes came from. */
function changed(previous: Validators | null, now: Validators): boolean {
  if (!previous) return false
  if (previous.etag && now.etag) return previous.etag !== now.etag
  if (previous.lastModified && now.lastModified) return previous.lastModified !== now.lastModified
  return false
}

function header(response: Dispatcher.ResponseData, name: string): string | undefined {
  const value = response.headers[name]
  return Array.isArray(value) ? value[0] : value
}

function parseContentRange(value: string | undefined): { start: number; total: number | null } | null {
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value?.trim() ?? '')
  if (!match) return null
  return { start: Number(match[1]), total: match[3] === '*' ? null : Number(match[3]) }
}

function totalFromContentRange(value: string | undefined): number | null {
  const match = /^bytes \*\/(\d+)$/.exec(value?.trim() ?? '')
  return match ? Number(match[1]) : null
}

function statusError(options: TransferOptions, status: number): AppError {
  const where = describeUrl(options.url)
  if (status === 404 || status === 410) {
    return new AppError(
      'not_found',
      `${where} does not exist (HTTP ${status}).`,
      /github\.com\/armbian\//.test(options.url)
        ? 'Armbian community releases are deleted after a few weeks: refresh the Armbian list and choose a current image.'
        : 'Check the address; the image may have been removed from the server.',
      { url: where, status: String(status) },
    )
  }
  return new AppError(
    'download_failed',
    `The server refused ${options.what} at ${where} (HTTP ${status}).`,
    status >= 500 ? 'The server has a problem; try again later.' : 'Check the URL.',
    { url: where, status: String(status) },
  )
}
