// Malformed and excessive requests over well-formed frames: each is answered (with its id when it
// has a usable one), the connection and the requests in flight on it go on, and a flood is met with
// typed `busy` refusals within the host's bounds while other clients are still served.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { wsHostLimits } from '../../src-main/transport/ws-host.ts'
import type { ServerMessage } from '../../src-shared/contract/ws-protocol.ts'
import { connectWsClient, type WsClient } from '../support/ws-client.ts'
import { startFaultHost, type FaultHost } from './support/fault-host.ts'

// An Image Factory that holds every request until released: factory.versions then stays in flight
// for as long as a test needs.
let factory: Server
const held: ServerResponse[] = []
let fault: FaultHost

beforeAll(async () => {
  factory = createServer((_req: IncomingMessage, res: ServerResponse) => void held.push(res))
  await new Promise<void>((resolve) => factory.listen(0, '127.0.0.1', resolve))
  fault = await startFaultHost({
    env: { CLUSTERDECK_FACTORY_URL: `http://127.0.0.1:${(factory.address() as AddressInfo).port}` },
  })
})

afterAll(async () => {
  releaseFactory()
  await fault.close()
  factory.closeAllConnections()
  await new Promise((resolve) => factory.close(resolve))
})

function releaseFactory(): void {
  for (const res of held.splice(0))
    res.writeHead(200, { 'content-type': 'application/json' }).end('["v1.13.9"]')
}

async function waitUntil(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5))
  expect(check()).toBe(true)
}

const results = (client: WsClient) =>
  client.messages.filter((m): m is Extract<ServerMessage, { kind: 'result' }> => m.kind === 'result')

describe('malformed requests', () => {
  it('answers each malformed message and keeps the connection and its requests in flight', async () => {
    const client = await connectWsClient(fault.host.port, fault.token)
    await client.waitFor((m) => m.kind === 'ready')
    client.sendText(
      JSON.stringify({ kind: 'invoke', id: 1, name: 'factory.versions', input: { refresh: true } }),
    )
    await waitUntil(() => held.length === 1)

    // An invoke without input is a request without fields.
    client.sendText(JSON.stringify({ kind: 'invoke', id: 2, name: 'boards.list' }))
    expect((await client.waitFor((m) => m.kind === 'result' && m.id === 2)) as object).toMatchObject({
      result: { ok: true, value: [] },
    })
    // A usable id gets its answer under that id.
    client.sendText(JSON.stringify({ kind: 'invoke', id: 3, name: 42, input: {} }))
    expect(await client.waitFor((m) => m.kind === 'result' && m.id === 3)).toMatchObject({
      result: {
        ok: false,
        error: { code: 'invalid_input', message: expect.stringMatching(/^The message was refused: name:/) },
      },
    })
    // Without one, the answer is an error message with no id.
    for (const text of [
      JSON.stringify({ kind: 'invoke', id: -1, name: 'boards.list', input: {} }),
      JSON.stringify({ kind: 'invoke', id: 1.5, name: 'boards.list', input: {} }),
      JSON.stringify({ kind: 'subscribe', name: 'boards.changed' }),
      'not json',
      'null',
      '[]',
    ]) {
      const before = client.messages.filter((m) => m.kind === 'error').length
      client.sendText(text)
      await waitUntil(() => client.messages.filter((m) => m.kind === 'error').length === before + 1)
    }
    expect(client.messages.filter((m) => m.kind === 'error')[0]).toMatchObject({
      error: { code: 'invalid_input', message: expect.stringMatching(/id:/) },
    })
    client.ws.send(Buffer.from('binary'), { binary: true })
    await waitUntil(() => client.messages.filter((m) => m.kind === 'error').length === 7)

    // The request that was in flight the whole time is still answered on the same connection.
    releaseFactory()
    expect(await client.waitFor((m) => m.kind === 'result' && m.id === 1)).toMatchObject({
      result: { ok: true, value: { versions: [{ version: 'v1.13.9' }] } },
    })
    expect(client.ws.readyState).toBe(client.ws.OPEN)
    client.ws.close()
    await client.closed
  })
})

describe('hostile shapes', () => {
  it('answers deeply nested input and a huge request name without trouble', async () => {
    const client = await connectWsClient(fault.host.port, fault.token)
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`
    const names = ['profiles.validate', 'boards.get', 'lifecycle.run', 'system.info']
    for (const [i, name] of names.entries()) {
      client.sendText(
        `{"kind":"invoke","id":${1001 + i},"name":"${name}","input":{"profile":${deep},"ref":${deep}}}`,
      )
    }
    client.sendText(`{"kind":"invoke","id":99,"name":${deep},"input":{}}`)
    client.sendText(JSON.stringify({ kind: 'invoke', id: 100, name: 'x'.repeat(4 * 1024 * 1024), input: {} }))
    for (const id of [1001, 1002, 1003, 1004, 99, 100]) {
      const answer = await client.waitFor((m) => m.kind === 'result' && m.id === id)
      // An answer never echoes a client's input back at length.
      expect(JSON.stringify(answer).length).toBeLessThan(2_000)
    }
    expect(await client.invoke('boards.list', {})).toEqual({ ok: true, value: [] })
    client.ws.close()
    await client.closed
  })
})

describe('bounds', () => {
  it('refuses requests beyond the in-flight limit with busy, and serves other clients meanwhile', async () => {
    const flooder = await connectWsClient(fault.host.port, fault.token)
    await flooder.waitFor((m) => m.kind === 'ready')
    const limit = wsHostLimits.maxInFlightPerConnection
    const total = limit + 40
    // Ids far from the ones invoke() hands out below.
    for (let id = 1000; id < 1000 + total; id++) {
      flooder.sendText(
        JSON.stringify({ kind: 'invoke', id, name: 'factory.versions', input: { refresh: true } }),
      )
    }
    await waitUntil(() => results(flooder).length === total - limit)
    expect(results(flooder).every((m) => !m.result.ok && m.result.error.code === 'busy')).toBe(true)
    expect(results(flooder)[0]).toMatchObject({
      result: { error: { message: expect.stringContaining(`${limit} requests of this connection`) } },
    })

    const other = await connectWsClient(fault.host.port, fault.token)
    expect(await other.invoke('boards.list', {})).toEqual({ ok: true, value: [] })

    // Once the held requests finish, the same connection is served again.
    await waitUntil(() => held.length === limit)
    releaseFactory()
    await waitUntil(() => results(flooder).length === total)
    expect(results(flooder).filter((m) => m.result.ok)).toHaveLength(limit)
    expect(await flooder.invoke('boards.list', {})).toEqual({ ok: true, value: [] })
    flooder.ws.close()
    other.ws.close()
    await Promise.all([flooder.closed, other.closed])
  })

  it('refuses connections beyond the limit with a busy error, and takes them again when one leaves', async () => {
    const open: WsClient[] = []
    for (let i = 0; i < wsHostLimits.maxConnections; i++) {
      open.push(await connectWsClient(fault.host.port, fault.token))
    }
    await Promise.all(open.map((client) => client.waitFor((m) => m.kind === 'ready')))
    const refused = await connectWsClient(fault.host.port, fault.token)
    expect(await refused.closed).toEqual({ code: 4503, reason: 'too many connections' })
    expect(refused.messages).toEqual([{ kind: 'error', error: expect.objectContaining({ code: 'busy' }) }])

    const leaving = open.pop()!
    leaving.ws.close()
    await leaving.closed
    const next = await connectWsClient(fault.host.port, fault.token)
    expect(await next.invoke('boards.list', {})).toEqual({ ok: true, value: [] })
    for (const client of [...open, next]) client.ws.close()
  })
})
