// A local HTTP server for download tests: serves files with ETag and Last-Modified, honours Range
// and If-Range like a CDN, and misbehaves on request — drops the connection after some bytes,
// ignores Range, trickles data slowly, or never answers. Every request is recorded.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ServedFile {
  body: Buffer
  etag?: string | null
  lastModified?: string | null
  /** Close the socket after this many body bytes, for the next `dropTimes` requests. */
  dropAfterBytes?: number
  dropTimes?: number
  /** Answer every request with the whole file (a server without range support). */
  ignoreRange?: boolean
  /** Accept the request and never answer. */
  hang?: boolean
  /** Send the body in chunks of this size with a pause between them (bytes per tick). */
  trickle?: { chunkBytes: number; everyMs: number }
  contentType?: string
}

export interface RecordedRequest {
  path: string
  range: string | undefined
  ifRange: string | undefined
  status: number
}

export interface ImageServer {
  url(path: string): string
  files: Map<string, ServedFile>
  requests: RecordedRequest[]
  close(): Promise<void>
}

export async function startImageServer(): Promise<ImageServer> {
  const files = new Map<string, ServedFile>()
  const requests: RecordedRequest[] = []
  const server: Server = createServer((request, response) => serve(files, requests, request, response))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    files,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function serve(
  files: Map<string, ServedFile>,
  requests: RecordedRequest[],
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const path = new URL(request.url ?? '/', 'http://x').pathname
  const file = files.get(path)
  const record: RecordedRequest = {
    path,
    range: request.headers.range,
    ifRange: request.headers['if-range'] as string | undefined,
    status: 0,
  }
  requests.push(record)
  if (!file) {
    record.status = 404
    response.writeHead(404).end('not found')
    return
  }
  if (file.hang) return
  const etag =
    file.etag === undefined ? `"${file.body.length}-${file.body.subarray(0, 16).toString('hex')}"` : file.etag
  const lastModified = file.lastModified === undefined ? 'Tue, 01 Sep 2026 10:00:00 GMT' : file.lastModified
  const headers: Record<string, string | number> = {
    'content-type': file.contentType ?? 'application/octet-stream',
    'accept-ranges': file.ignoreRange ? 'none' : 'bytes',
    ...(etag ? { etag } : {}),
    ...(lastModified ? { 'last-modified': lastModified } : {}),
  }
  const total = file.body.length
  let start = 0
  const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '')
  const ifRange = request.headers['if-range'] as string | undefined
  const validatorMatches = !ifRange || ifRange === etag || ifRange === lastModified
  if (range && !file.ignoreRange && validatorMatches) {
    start = Number(range[1])
    if (start >= total) {
      record.status = 416
      response.writeHead(416, { ...headers, 'content-range': `bytes */${total}` }).end()
      return
    }
    record.status = 206
    response.writeHead(206, {
      ...headers,
      'content-range': `bytes ${start}-${total - 1}/${total}`,
      'content-length': total - start,
    })
  } else {
    record.status = 200
    response.writeHead(200, { ...headers, 'content-length': total })
  }
  let body = file.body.subarray(start)
  if (file.dropAfterBytes !== undefined && (file.dropTimes ?? 1) > 0) {
    file.dropTimes = (file.dropTimes ?? 1) - 1
    body = body.subarray(0, Math.max(0, file.dropAfterBytes - start))
    response.write(body, () => setTimeout(() => response.socket?.destroy(), 20))
    return
  }
  if (!file.trickle) {
    response.end(body)
    return
  }
  const { chunkBytes, everyMs } = file.trickle
  let offset = 0
  const timer = setInterval(() => {
    if (response.destroyed) return clearInterval(timer)
    const chunk = body.subarray(offset, offset + chunkBytes)
    offset += chunk.length
    if (offset >= body.length) {
      clearInterval(timer)
      response.end(chunk)
    } else response.write(chunk)
  }, everyMs)
  response.on('close', () => clearInterval(timer))
}
