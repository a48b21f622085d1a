// The interactive serial console against the virtual board over real TLS: on FW 2.1 the BMC's
// serial WebSocket carries raw bytes both ways (Ctrl-C included) to every attached client, with the
// certificate pinned and the Authorization header required; FW 2.0.5 has no socket, so the core
// says the console works line by line.
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { SerialConsoles } from '../../src-main/bmc/serial-consoles.ts'
import { openSerialSocket } from '../../src-main/bmc/serial-socket.ts'
import { EventBus } from '../../src-main/core/event-bus.ts'
import type { EventPayload } from '../../src-shared/contract/index.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { clientFor, closeAll, startBoard, waitFor } from '../support/virtual-bmc.ts'

const consoles: SerialConsoles[] = []
afterEach(async () => {
  for (const serial of consoles.splice(0)) serial.close()
  await closeAll()
})

function consolesFor(client: ReturnType<typeof clientFor>, leaseMs?: number) {
  const events = new EventBus()
  const output: Array<EventPayload<'bmc.serial.output'>> = []
  const closed: Array<EventPayload<'bmc.serial.closed'>> = []
  events.onAny((name, payload) => {
    if (name === 'bmc.serial.output') output.push(payload as EventPayload<'bmc.serial.output'>)
    if (name === 'bmc.serial.closed') closed.push(payload as EventPayload<'bmc.serial.closed'>)
  })
  const serial = new SerialConsoles({ connector: { client: async () => client }, events, leaseMs })
  consoles.push(serial)
  const text = (node: number) =>
    output
      .filter((event) => event.node === node)
      .map((event) => event.text)
      .join('')
  return { serial, text, closed }
}

describe('serial console on firmware 2.1 (WebSocket)', () => {
  it('streams what the node prints and types raw keys, Ctrl-C included, without CR LF', async () => {
    const board = await startBoard({ firmware: '2.1' })
    const client = clientFor(board)
    const { serial, text } = consolesFor(client)

    expect(await serial.attach({ boardId: 'b', node: 2 })).toEqual({ mode: 'socket', reason: null })
    await client.setPower({ 2: true })
    // The boot log arrives as it is printed, over the socket.
    const bootLog = await waitFor(() => board.state.uartText(1) || undefined)
    await waitFor(() => text(2) === bootLog)

    await serial.send({ boardId: 'b', node: 2, data: 'sleep 100' })
    await serial.send({ boardId: 'b', node: 2, data: '\x03' })
    await waitFor(() => text(2).endsWith('sleep 100^C\r\n'))
    // Raw: no CR LF after "sleep 100" (the BMC's line endpoint would have added one).
    expect(board.state.uartText(1)).toBe(`${bootLog}sleep 100^C\r\n`)
    await serial.send({ boardId: 'b', node: 2, data: 'lsx\x7f\r' })
    await waitFor(() => text(2).endsWith('lsx\b \b\r\n'))
  })

  it('shares one socket among attaches and closes it when nobody renews the lease', async () => {
    const board = await startBoard({ firmware: '2.1' })
    const client = clientFor(board)
    const { serial, closed } = consolesFor(client, 300)
    await serial.attach({ boardId: 'b', node: 1 })
    await serial.attach({ boardId: 'b', node: 1 })
    await waitFor(() => closed.length === 1, 3_000)
    expect(closed).toEqual([{ boardId: 'b', node: 1 }])
    await expect(serial.send({ boardId: 'b', node: 1, data: 'x' })).rejects.toMatchObject({
      message: 'The serial console of node 1 is not connected.',
    })
  })

  it('refuses a certificate other than the trusted one before sending credentials', async () => {
    const board = await startBoard({ firmware: '2.1' })
    const logins = board.state.snapshot().auth.logins
    const error = await openSerialSocket({
      connection: {
        url: board.url,
        username: 'root',
        password: 'turing',
        fingerprint: 'AA:BB',
        label: 'board "test"',
      },
      node: 1,
      timeoutMs: 5_000,
    }).catch((reason: unknown) => reason)
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).code).toBe('bmc_certificate_changed')
    expect(board.state.snapshot().requests).toBe(0)
    expect(board.state.snapshot().auth.logins).toBe(logins)
  })

  it('answers 401 without the Authorization header and 400 for a bad node', async () => {
    const board = await startBoard({ firmware: '2.1' })
    const status = (path: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`wss://127.0.0.1:${board.port}${path}`, {
          rejectUnauthorized: false,
          headers,
        })
        ws.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0))
        ws.on('open', () => {
          ws.close()
          resolve(101)
        })
        ws.on('error', () => undefined)
      })
    const basic = `Basic ${Buffer.from('root:turing').toString('base64')}`
    expect(await status('/api/bmc/serial/ws?node=0')).toBe(401)
    expect(await status('/api/bmc/serial/ws?node=7', { authorization: basic })).toBe(400)
    expect(await status('/api/bmc/serial/ws?node=0', { authorization: basic })).toBe(101)
  })
})

describe('serial console on firmware 2.0.5 (no WebSocket)', () => {
  it('reports line mode, and the BMC has no serial socket route', async () => {
    const board = await startBoard({ firmware: '2.0.5' })
    const client = clientFor(board)
    const { serial } = consolesFor(client)
    const attached = await serial.attach({ boardId: 'b', node: 1 })
    expect(attached.mode).toBe('lines')
    expect(attached.reason).toContain('Ctrl-C')
    const error = await openSerialSocket({ connection: client.connection, node: 1, timeoutMs: 5_000 }).catch(
      (reason: unknown) => reason,
    )
    expect((error as AppError).message).toContain('HTTP 404')
  })
})
