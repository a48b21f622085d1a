// A WebSocket client at the byte level: a plain TCP socket that performs the HTTP upgrade and then
// writes whatever frames a test builds, well-formed or not, and reads what the host sends back.
import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'

export interface FrameSpec {
  payload?: Buffer | string
  opcode?: number
  fin?: boolean
  /** The three reserved bits, as a number 0–7 (RSV1 = 4). */
  rsv?: number
  /** Clients must mask; false sends the payload in the clear. */
  masked?: boolean
  /** The length the header announces, when it should differ from the payload's. */
  announcedLength?: number
}

export function frame({
  payload = Buffer.alloc(0),
  opcode = 0x1,
  fin = true,
  rsv = 0,
  masked = true,
  announcedLength,
}: FrameSpec): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload
  const length = announcedLength ?? body.length
  const head = [((fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f)) & 0xff]
  const maskBit = masked ? 0x80 : 0
  let extended = Buffer.alloc(0)
  if (length < 126) head.push(maskBit | length)
  else if (length < 0x10000) {
    head.push(maskBit | 126)
    extended = Buffer.alloc(2)
    extended.writeUInt16BE(length)
  } else {
    head.push(maskBit | 127)
    extended = Buffer.alloc(8)
    extended.writeBigUInt64BE(BigInt(length))
  }
  if (!masked) return Buffer.concat([Buffer.from(head), extended, body])
  const mask = randomBytes(4)
  const maskedBody = Buffer.from(body.map((byte, i) => byte ^ mask[i % 4]!))
  return Buffer.concat([Buffer.from(head), extended, mask, maskedBody])
}

export interface RawClient {
  readonly socket: Socket
  /** The upgrade answer's status line. */
  readonly status: string
  /** Everything received after the upgrade answer. */
  received(): Buffer
  /** Resolves when the host has closed the TCP connection. */
  readonly ended: Promise<void>
  write(bytes: Buffer): void
  /** The close code of the first close frame the host sent, once one arrived (or undefined). */
  closeCode(): number | undefined
}

export async function rawClient(port: number, path = '/api'): Promise<RawClient> {
  const socket = connect(port, '127.0.0.1')
  // A hostile client's own socket may be reset by the host; that is the expected outcome.
  socket.on('error', () => undefined)
  let buffer = Buffer.alloc(0)
  socket.on('data', (chunk: Buffer) => (buffer = Buffer.concat([buffer, chunk])))
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  )
  for (let i = 0; i < 500 && buffer.indexOf('\r\n\r\n') < 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  const headerEnd = buffer.indexOf('\r\n\r\n')
  if (headerEnd < 0) throw new Error('the host did not answer the upgrade')
  const status = buffer.subarray(0, buffer.indexOf('\r\n')).toString()
  buffer = buffer.subarray(headerEnd + 4)
  return {
    socket,
    status,
    received: () => buffer,
    ended,
    write: (bytes) => void (socket.writable && socket.write(bytes)),
    closeCode() {
      for (const parsed of parseFrames(buffer)) {
        if (parsed.opcode === 0x8) return parsed.payload.length >= 2 ? parsed.payload.readUInt16BE(0) : 1005
      }
      return undefined
    },
  }
}

/** The unmasked frames a server sends, as far as they are complete. */
export function parseFrames(bytes: Buffer): Array<{ opcode: number; payload: Buffer }> {
  const frames: Array<{ opcode: number; payload: Buffer }> = []
  let offset = 0
  while (offset + 2 <= bytes.length) {
    const opcode = bytes[offset]! & 0x0f
    let length = bytes[offset + 1]! & 0x7f
    let start = offset + 2
    if (length === 126) {
      if (start + 2 > bytes.length) break
      length = bytes.readUInt16BE(start)
      start += 2
    } else if (length === 127) {
      if (start + 8 > bytes.length) break
      length = Number(bytes.readBigUInt64BE(start))
      start += 8
    }
    if (start + length > bytes.length) break
    frames.push({ opcode, payload: bytes.subarray(start, start + length) })
    offset = start + length
  }
  return frames
}

/** A raw client that has said hello with the token and received the host's ready. */
export async function rawHelloClient(port: number, token: string): Promise<RawClient> {
  const client = await rawClient(port)
  if (client.status !== 'HTTP/1.1 101 Switching Protocols')
    throw new Error(`upgrade refused: ${client.status}`)
  client.write(frame({ payload: JSON.stringify({ kind: 'hello', token }) }))
  for (let i = 0; i < 400 && parseFrames(client.received()).length === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  if (parseFrames(client.received())[0]?.payload.toString() !== '{"kind":"ready"}') {
    throw new Error('the host did not answer the hello')
  }
  return client
}
