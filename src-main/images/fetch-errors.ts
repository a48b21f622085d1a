// What went wrong when fetching something from the internet, as typed errors a person can act on:
// offline (the name does not resolve, the connection is refused), a server that does not answer,
// or a connection lost midway (worth resuming). Never includes request headers (tokens).
import { errors as undiciErrors } from 'undici'
import { AppError } from '../../src-shared/contract/app-error.ts'

export type FetchFailure =
  | 'dns'
  | 'refused'
  | 'no-route'
  | 'connect-timeout'
  | 'no-answer'
  | 'stalled'
  | 'connection-lost'
  | 'tls'
  | 'other'

/** Failures after which continuing where the transfer stopped is likely to work. */
const transient: readonly string[] = ['stalled', 'connection-lost']

export function isTransientFetchError(error: unknown): boolean {
  return error instanceof AppError && transient.includes(error.details?.reason ?? '')
}

export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.origin}${parsed.pathname}`
  } catch {
    return url
  }
}

/** Turns an undici or socket error into an AppError naming what could not be fetched and why. */
export function fetchError(
  error: unknown,
  { what, url, timeoutMs }: { what: string; url: string; timeoutMs: number },
): AppError {
  if (error instanceof AppError) return error
  const host = safeHost(url)
  const details = (reason: FetchFailure) => ({ url: describeUrl(url), reason })
  if (error instanceof undiciErrors.RequestAbortedError || (error as Error)?.name === 'AbortError') {
    return new AppError('cancelled', `Fetching ${what} was stopped.`, undefined, details('other'))
  }
  const code = errorCode(error)
  const seconds = `${Math.round(timeoutMs / 100) / 10} s`
  if (
    error instanceof undiciErrors.ConnectTimeoutError ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'ETIMEDOUT'
  ) {
    return new AppError(
      'timeout',
      `Could not fetch ${what}: ${host} did not accept a connection within ${seconds}.`,
      'Check the internet connection (and any proxy or firewall), then try again.',
      details('connect-timeout'),
    )
  }
  if (error instanceof undiciErrors.HeadersTimeoutError) {
    return new AppError(
      'timeout',
      `Could not fetch ${what}: ${host} accepted the connection but did not answer within ${seconds}.`,
      'The server may be overloaded; try again later.',
      details('no-answer'),
    )
  }
  if (error instanceof undiciErrors.BodyTimeoutError) {
    return new AppError(
      'timeout',
      `The transfer of ${what} from ${host} stalled: no data for ${seconds}.`,
      'Try again: the download continues where it stopped.',
      details('stalled'),
    )
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL') {
    return new AppError(
      'network_unreachable',
      `Could not fetch ${what}: the name ${host} does not resolve (${code}). This computer looks offline, or its DNS is not working.`,
      'Check the internet connection. Images already in the library keep working offline.',
      details('dns'),
    )
  }
  if (code === 'ECONNREFUSED') {
    return new AppError(
      'network_unreachable',
      `Could not fetch ${what}: ${host} refused the connection.`,
      'Check the internet connection and any proxy; the server may also be down. Images already in the library keep working offline.',
      details('refused'),
    )
  }
  if (code === 'ENETUNREACH' || code === 'EHOSTUNREACH' || code === 'ENETDOWN' || code === 'EHOSTDOWN') {
    return new AppError(
      'network_unreachable',
      `Could not fetch ${what}: there is no network route to ${host} (${code}).`,
      'Check the internet connection. Images already in the library keep working offline.',
      details('no-route'),
    )
  }
  if (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'UND_ERR_SOCKET' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH'
  ) {
    return new AppError(
      'download_failed',
      `The connection to ${host} was lost while fetching ${what}.`,
      'Try again: the download continues where it stopped.',
      details('connection-lost'),
    )
  }
  if (
    code?.startsWith('CERT_') ||
    code?.startsWith('ERR_TLS') ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
    code === 'SELF_SIGNED_CERT_IN_CHAIN'
  ) {
    return new AppError(
      'download_failed',
      `Could not fetch ${what}: the TLS certificate of ${host} was not accepted (${code}).`,
      'A proxy or captive portal may be intercepting HTTPS; check the network.',
      details('tls'),
    )
  }
  const message = (error as Error)?.message ?? String(error)
  return new AppError(
    'download_failed',
    `Could not fetch ${what} from ${host}: ${message}.`,
    undefined,
    details('other'),
  )
}

/** The system or TLS error code (ECONNREFUSED, CERT_HAS_EXPIRED, …) under undici's wrappers. */
export function errorCode(error: unknown): string | undefined {
  // undici wraps socket errors: the system code is on the cause (sometimes an AggregateError).
  let current = error as { code?: unknown; cause?: unknown; errors?: unknown[] } | undefined
  for (let depth = 0; current && depth < 4; depth++) {
    const inner = current.cause ?? current.errors?.[0]
    if (typeof current.code === 'string' && !(current.code === 'UND_ERR_SOCKET' && inner)) return current.code
    current = inner as typeof current
  }
  return (error as { code?: string })?.code
}

function safeHost(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}
