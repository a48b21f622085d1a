// Fuzzing the loopback host, bounded and seeded (FUZZ_SEED=<seed> replays a run): random and
// mutated frames over raw TCP, then random JSON shapes over a well-formed connection. The host must
// never exit, every message that carries a usable id gets exactly one result, every other message
// one error, and a well-formed client is answered throughout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  clientMessageSchema,
  requestIdSchema,
  type ServerMessage,
} from '../../src-shared/contract/ws-protocol.ts'
import { seededRandom, type SeededRandom } from '../support/seeded-random.ts'
import { connectWsClient, type WsClient } from '../support/ws-client.ts'
import { frame, rawClient } from './support/raw-websocket.ts'
import { startFaultHost, type FaultHost } from './support/fault-host.ts'

let fault: FaultHost
let witness: WsClient

beforeAll(async () => {
  fault = await startFaultHost()
  witness = await connectWsClient(fault.host.port, fault.token)
})

afterAll(async () => {
  witness.ws.close()
  await fault.close()
})

// Requests that only read or validate: a fuzzer must not start servers or reach the network.
const harmlessRequests = [
  'system.info',
  'boards.list',
  'boards.get',
  'profiles.list',
  'profiles.get',
  'profiles.validate',
  'profiles.templates',
  'images.list',
  'images.usage',
  'flash.jobs',
  'lifecycle.runs',
  'lifecycle.run',
] as const

function randomJson(random: SeededRandom, depth = 0): unknown {
  const choice = random.int(depth > 3 ? 6 : 9)
  switch (choice) {
    case 0:
      return null
    case 1:
      return random.chance(0.5)
    case 2:
      return random.pick([0, -1, 1.5, 2 ** 53, -(2 ** 60), 1e308, Number.MIN_VALUE])
    case 3:
      return random.int(1000)
    case 4:
      return random.pick(['', 'x', 'boards.list', '__proto__', 'constructor', '💥', 'a'.repeat(2000)])
    case 5:
      return random.bytes(random.int(20)).toString('latin1')
    case 6:
    case 7:
      return Object.fromEntries(
        Array.from({ length: random.int(5) }, () => [
          random.pick(['kind', 'id', 'name', 'input', 'token', 'ref', '__proto__', 'x']),
          randomJson(random, depth + 1),
        ]),
      )
    default:
      return Array.from({ length: random.int(4) }, () => randomJson(random, depth + 1))
  }
}

function randomMessage(random: SeededRandom, id: number): string {
  const message: Record<string, unknown> = {
    kind: random.pick([
      'invoke',
      'invoke',
      'invoke',
      'subscribe',
      'hello',
      'result',
      random.pick(['', 'INVOKE']),
    ]),
  }
  if (random.chance(0.9)) message.id = random.chance(0.8) ? id : randomJson(random)
  if (random.chance(0.9))
    message.name = random.chance(0.8) ? random.pick(harmlessRequests) : randomJson(random)
  if (random.chance(0.8)) message.input = randomJson(random)
  if (random.chance(0.1)) message.token = randomJson(random)
  const text = JSON.stringify(message)
  // Sometimes not JSON at all: cut short, or a top-level value that is not an object.
  if (random.chance(0.05)) return text.slice(0, random.int(text.length))
  if (random.chance(0.05)) return JSON.stringify(randomJson(random))
  return text
}

const validInvoke = JSON.stringify({ kind: 'invoke', id: 1, name: 'boards.list', input: {} })

function randomFrame(random: SeededRandom): Buffer {
  const payload = random.chance(0.5) ? Buffer.from(validInvoke) : random.bytes(random.int(300))
  const built = frame({
    payload,
    opcode: random.chance(0.6) ? random.pick([0x1, 0x2, 0x8, 0x9, 0xa]) : random.int(16),
    fin: random.chance(0.8),
    rsv: random.chance(0.8) ? 0 : random.int(8),
    masked: random.chance(0.9),
    ...(random.chance(0.1) ? { announcedLength: random.pick([126, 65_536, 2 ** 32, 2 ** 53 - 1]) } : {}),
  })
  // Mutate a few bytes of a well-formed frame now and then.
  for (let flips = random.chance(0.3) ? random.int(4) + 1 : 0; flips > 0; flips--) {
    built[random.int(built.length)] = random.int(256)
  }
  return random.chance(0.1) ? built.subarray(0, random.int(built.length)) : built
}

describe('fuzzed host', () => {
  it('survives random and mutated frames', async () => {
    const random = seededRandom(0x5eed01)
    for (let round = 0; round < 120; round++) {
      const client = await rawClient(fault.host.port)
      if (random.chance(0.7))
        client.write(frame({ payload: JSON.stringify({ kind: 'hello', token: fault.token }) }))
      for (let i = random.int(3) + 1; i > 0; i--) client.write(randomFrame(random))
      client.socket.end()
      await Promise.race([client.ended, new Promise((resolve) => setTimeout(resolve, 200))])
      client.socket.destroy()
      if (round % 20 === 19) {
        expect(await witness.invoke('boards.list', {}), `seed ${random.seed}, round ${round}`).toEqual({
          ok: true,
          value: [],
        })
      }
    }
  })

  it('answers every random message once, and keeps the connection', async () => {
    const random = seededRandom(0x5eed02)
    const client = await connectWsClient(fault.host.port, fault.token)
    await client.waitFor((m) => m.kind === 'ready')
    // Random ids may repeat, so the answers are compared as a sorted list, one per message.
    const expectedIds: number[] = []
    let expectedErrors = 0
    for (let n = 0; n < 600; n++) {
      const text = randomMessage(random, 10_000 + n)
      client.sendText(text)
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch {
        expectedErrors++
        continue
      }
      const valid = clientMessageSchema.safeParse(json)
      if (valid.success) {
        if (valid.data.kind === 'invoke') expectedIds.push(valid.data.id)
        continue // a hello after the first is ignored
      }
      const id = requestIdSchema.safeParse((json as { id?: unknown } | null)?.id)
      if (id.success) expectedIds.push(id.data)
      else expectedErrors++
    }
    const results = () => client.messages.filter((m) => m.kind === 'result')
    const errors = () => client.messages.filter((m) => m.kind === 'error')
    for (
      let i = 0;
      i < 2000 && (results().length < expectedIds.length || errors().length < expectedErrors);
      i++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    const answered = results().map((m) => (m as Extract<ServerMessage, { kind: 'result' }>).id)
    const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b)
    expect(sorted(answered), `seed ${random.seed}`).toEqual(sorted(expectedIds))
    expect(errors().length, `seed ${random.seed}`).toBe(expectedErrors)
    for (const message of [...results(), ...errors()]) {
      const error =
        message.kind === 'result'
          ? message.result.ok
            ? undefined
            : message.result.error
          : message.kind === 'error'
            ? message.error
            : undefined
      if (error)
        expect(['invalid_input', 'unknown_request', 'not_found', 'busy'], error.message).toContain(error.code)
    }
    expect(client.ws.readyState).toBe(client.ws.OPEN)
    expect(await client.invoke('boards.list', {})).toEqual({ ok: true, value: [] })
    client.ws.close()
  })
})
