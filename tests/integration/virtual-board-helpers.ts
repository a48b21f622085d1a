// Talks to a virtual board over real HTTPS, as a client of a real BMC would: undici for ordinary
// calls, node:https for uploads whose socket a test needs to control.
import { request as httpsRequest } from 'node:https'
import { Agent, request } from 'undici'
import type { VirtualBoard } from '../../src-main/virtual-board/virtual-board-server.ts'

export const insecureAgent = new Agent({ connect: { rejectUnauthorized: false } })

export interface HttpResult {
  status: number
  text: string
  headers: Record<string, string | string[] | undefined>
}

export async function call(
  board: VirtualBoard,
  path: string,
  {
    method = 'GET',
    token,
    authorization,
    body,
    contentType,
  }: {
    method?: 'GET' | 'POST'
    token?: string
    authorization?: string
    body?: string
    contentType?: string
  } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = {}
  if (token) headers.authorization = `Bearer ${token}`
  if (authorization) headers.authorization = authorization
  if (contentType) headers['content-type'] = contentType
  const response = await request(`${board.url}${path}`, { method, headers, body, dispatcher: insecureAgent })
  return { status: response.statusCode, text: await response.body.text(), headers: response.headers }
}

export async function login(board: VirtualBoard): Promise<string> {
  const response = await call(board, '/api/bmc/authenticate', {
    method: 'POST',
    body: JSON.stringify(board.credentials),
  })
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${response.text}`)
  return (JSON.parse(response.text) as { id: string }).id
}

/** GET /api/bmc?<query> with a bearer token. */
export function api(board: VirtualBoard, token: string, query: string): Promise<HttpResult> {
  return call(board, `/api/bmc?${query}`, { token })
}

/** The `result` of an enveloped answer. */
export function result(response: HttpResult): unknown {
  return (JSON.parse(response.text) as { response: Array<{ result: unknown }> }).response[0]!.result
}

export async function flashStatus(board: VirtualBoard, token: string): Promise<unknown> {
  const response = await api(board, token, 'opt=get&type=flash')
  if (response.status !== 200) throw new Error(`flash status failed: ${response.status} ${response.text}`)
  return JSON.parse(response.text)
}

export async function startFlash(board: VirtualBoard, token: string, query: string): Promise<number> {
  const response = await api(board, token, `opt=set&type=flash&${query}`)
  if (response.status !== 200) throw new Error(`flash start failed: ${response.status} ${response.text}`)
  return (JSON.parse(response.text) as { handle: number }).handle
}

/** Polls the transfer status until `done` accepts it; returns every status seen. */
export async function pollFlash(
  board: VirtualBoard,
  token: string,
  done: (status: unknown) => boolean,
  { intervalMs = 20, timeoutMs = 20_000 } = {},
): Promise<unknown[]> {
  const seen: unknown[] = []
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const status = await flashStatus(board, token)
    seen.push(status)
    if (done(status)) return seen
    if (Date.now() > deadline) throw new Error(`flash did not settle: last status ${JSON.stringify(status)}`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

export const isFinished = (status: unknown) =>
  typeof status === 'object' && status !== null && ('Done' in status || 'Error' in status)

export interface UploadOptions {
  fileName?: string
  /** Destroy the socket after this many payload bytes. */
  cutAfter?: number
  chunkBytes?: number
}

/**
 * POSTs `data` as a one-part multipart body, streamed in chunks with back-pressure. Resolves the
 * response, or `{ status: 0 }` when the connection broke (or was cut on purpose).
 */
export async function upload(
  board: VirtualBoard,
  token: string,
  handle: number,
  data: Buffer,
  { fileName = 'image.img', cutAfter, chunkBytes = 32 * 1024 }: UploadOptions = {},
): Promise<HttpResult> {
  const boundary = '----clusterdeck-test-boundary'
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  )
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  const req = httpsRequest(`${board.url}/api/bmc/upload/${handle}`, {
    method: 'POST',
    rejectUnauthorized: false,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': String(head.length + data.length + tail.length),
    },
  })
  const response = new Promise<HttpResult>((resolve) => {
    req.once('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.once('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          text: Buffer.concat(chunks).toString(),
          headers: res.headers,
        }),
      )
      res.once('error', () => resolve({ status: 0, text: '', headers: {} }))
    })
    req.once('error', () => resolve({ status: 0, text: '', headers: {} }))
  })

  const write = async (chunk: Buffer) => {
    if (req.destroyed || req.write(chunk)) return
    await new Promise<void>((resolve) => {
      const done = () => {
        req.off('drain', done)
        req.off('close', done)
        resolve()
      }
      req.on('drain', done)
      req.on('close', done)
    })
  }
  await write(head)
  for (let offset = 0; offset < data.length; offset += chunkBytes) {
    if (cutAfter !== undefined && offset >= cutAfter) {
      req.destroy()
      return response
    }
    await write(data.subarray(offset, offset + chunkBytes))
  }
  await write(tail)
  req.end()
  return response
}

/** Deterministic test data that does not compress to nothing. */
export function imageBytes(size: number, seed = 1): Buffer {
  const data = Buffer.alloc(size)
  let x = seed
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff
    data[i] = (x >> 16) & 0xff
  }
  return data
}
