// A streaming reader for the first part of a multipart/form-data body, which is all bmcd reads of an
// upload. Memory stays bounded: part bytes are handed on as they arrive, holding back only enough
// to recognise a delimiter split across two chunks.

export class MultipartError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'MultipartError'
  }
}

const maxBytesBeforeBody = 64 * 1024
const crlf = Buffer.from('\r\n')
const headerEnd = Buffer.from('\r\n\r\n')

/** The boundary of a multipart/form-data content type, or undefined. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) return undefined
  const match = /;\s*boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType)
  return match?.[1] ?? match?.[2]
}

/**
 * Reads up to the end of the first part's headers. Resolves the part body as a generator that ends
 * at the part's closing delimiter and throws MultipartError if the body ends before it. Rejects with
 * MultipartError when the body has no first part.
 */
export async function openFirstPart(
  source: AsyncIterator<Buffer>,
  boundary: string,
): Promise<{ headers: string; body: AsyncGenerator<Buffer, void, undefined> }> {
  const dashBoundary = Buffer.from(`--${boundary}`)
  let buffer = Buffer.alloc(0)

  const readMore = async (): Promise<boolean> => {
    const next = await source.next()
    if (next.done) return false
    buffer = Buffer.concat([buffer, next.value])
    return true
  }
  const waitFor = async (needle: Buffer, from: number): Promise<number> => {
    for (;;) {
      const index = buffer.indexOf(needle, from)
      if (index >= 0) return index
      if (buffer.length > maxBytesBeforeBody) throw new MultipartError('multipart headers are too long')
      if (!(await readMore())) throw new MultipartError('multipart body has no part')
    }
  }

  const boundaryAt = await waitFor(dashBoundary, 0)
  const lineEnd = await waitFor(crlf, boundaryAt + dashBoundary.length)
  if (
    buffer
      .subarray(boundaryAt + dashBoundary.length, lineEnd)
      .toString()
      .startsWith('--')
  ) {
    throw new MultipartError('multipart body has no part')
  }
  // The CRLF ending the boundary line also starts the blank line when a part has no headers.
  const headersEnd = await waitFor(headerEnd, lineEnd)
  const headers = buffer.subarray(lineEnd + 2, headersEnd).toString('latin1')
  const rest = buffer.subarray(headersEnd + headerEnd.length)

  return { headers, body: partBody(source, rest, Buffer.from(`\r\n--${boundary}`)) }
}

async function* partBody(
  source: AsyncIterator<Buffer>,
  initial: Buffer,
  delimiter: Buffer,
): AsyncGenerator<Buffer, void, undefined> {
  let pending = initial
  try {
    for (;;) {
      const end = pending.indexOf(delimiter)
      if (end >= 0) {
        if (end > 0) yield pending.subarray(0, end)
        return
      }
      const safe = pending.length - (delimiter.length - 1)
      if (safe > 0) {
        yield pending.subarray(0, safe)
        pending = pending.subarray(safe)
      }
      const next = await source.next()
      if (next.done) throw new MultipartError('multipart body ended before the part was complete')
      pending = pending.length === 0 ? next.value : Buffer.concat([pending, next.value])
    }
  } finally {
    await source.return?.()
  }
}
