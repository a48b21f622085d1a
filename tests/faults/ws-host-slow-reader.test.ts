// A client that sends requests but never reads the answers: the host stops buffering for it at its
// bound and drops it, instead of growing without end, and goes on serving the others. The bound
// is tightened to 64 KiB here so the test reaches it in a moment (the default is in wsHostLimits).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectWsClient } from '../support/ws-client.ts'
import { frame, rawHelloClient } from './support/raw-websocket.ts'
import { startFaultHost, type FaultHost } from './support/fault-host.ts'

let fault: FaultHost

beforeAll(async () => {
  fault = await startFaultHost({ limits: { maxBufferedBytes: 64 * 1024 } })
})

afterAll(() => fault.close())

describe('a client that does not read', () => {
  it('is dropped once its unread answers pass the bound', async () => {
    const client = await rawHelloClient(fault.host.port, fault.token)
    client.socket.pause()
    let dropped = false
    void client.ended.then(() => (dropped = true))
    // Each answer is about 1 KiB; the socket buffers of loopback hold a few MiB before the host's
    // own queue grows, so up to 40 MiB of answers are asked for (in batches, to notice the drop).
    const invoke = frame({
      payload: JSON.stringify({ kind: 'invoke', id: 1, name: 'profiles.templates', input: {} }),
    })
    const batch = Buffer.concat(Array(500).fill(invoke))
    for (let sent = 0; sent < 40_000 && !dropped; sent += 500) {
      client.write(batch)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    await Promise.race([client.ended, new Promise((resolve) => setTimeout(resolve, 5_000))])
    expect(dropped).toBe(true)

    const other = await connectWsClient(fault.host.port, fault.token)
    expect(await other.invoke('boards.list', {})).toEqual({ ok: true, value: [] })
    other.ws.close()
  })
})
