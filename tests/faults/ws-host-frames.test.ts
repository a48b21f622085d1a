// Hostile WebSocket frames against the loopback host over raw TCP: each malformed frame closes
// only the connection that sent it, with the close code RFC 6455 names, and the host goes on
// answering well-formed clients. Before, one such frame was an unhandled 'error' that ended the
// host and every flash and deploy it ran.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectWsClient, type WsClient } from '../support/ws-client.ts'
import { frame, rawClient, rawHelloClient, type FrameSpec } from './support/raw-websocket.ts'
import { startFaultHost, type FaultHost } from './support/fault-host.ts'

let fault: FaultHost
let witness: WsClient

beforeAll(async () => {
  fault = await startFaultHost()
  // A well-behaved client connected the whole time: no hostile frame may cost it its connection.
  witness = await connectWsClient(fault.host.port, fault.token)
})

afterAll(async () => {
  witness.ws.close()
  await fault.close()
})

const hostile: Array<[string, FrameSpec, number]> = [
  ['a text frame with invalid UTF-8', { payload: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]) }, 1007],
  ['an unmasked client frame', { payload: '{"kind":"invoke"}', masked: false }, 1002],
  ['RSV1 set without compression negotiated', { payload: '{}', rsv: 4 }, 1002],
  ['a header announcing 32 MiB', { payload: Buffer.alloc(16), announcedLength: 32 * 1024 * 1024 }, 1009],
  ['a reserved opcode', { payload: 'x', opcode: 0x3 }, 1002],
  ['a ping longer than 125 bytes', { payload: Buffer.alloc(200), opcode: 0x9 }, 1002],
  ['a fragmented ping', { payload: 'x', opcode: 0x9, fin: false }, 1002],
  ['a continuation frame with nothing to continue', { payload: 'x', opcode: 0x0 }, 1002],
]

const helloed = () => rawHelloClient(fault.host.port, fault.token)

async function hostStillAnswers(): Promise<void> {
  const fresh = await connectWsClient(fault.host.port, fault.token)
  expect(await fresh.invoke('boards.list', {})).toEqual({ ok: true, value: [] })
  fresh.ws.close()
  expect(await witness.invoke('system.info', {})).toMatchObject({ ok: true })
}

describe('hostile frames', () => {
  it.each(hostile)('after hello, %s closes that connection only', async (_name, spec, code) => {
    const client = await helloed()
    client.write(frame(spec))
    await client.ended
    expect(client.closeCode()).toBe(code)
    await hostStillAnswers()
  })

  it.each(hostile)('before hello, %s closes that connection only', async (_name, spec) => {
    const client = await rawClient(fault.host.port)
    client.write(frame(spec))
    await client.ended
    await hostStillAnswers()
  })

  it('survives a client that resets its socket in the middle of a frame', async () => {
    const client = await helloed()
    client.write(frame({ payload: 'x'.repeat(4096) }).subarray(0, 100))
    client.socket.resetAndDestroy()
    await client.ended
    await hostStillAnswers()
  })

  it('survives a client that resets during the upgrade', async () => {
    const { connect } = await import('node:net')
    const socket = connect(fault.host.port, '127.0.0.1')
    socket.on('error', () => undefined)
    await new Promise((resolve) => socket.once('connect', resolve))
    socket.write(`GET /api HTTP/1.1\r\nHost: 127.0.0.1:${fault.host.port}\r\nUpgrade: websocket\r\n`)
    socket.resetAndDestroy()
    await hostStillAnswers()
  })
})
