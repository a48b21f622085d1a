// The BMC client against the virtual board over real HTTPS, for both firmware versions: sessions
// and re-login, refused credentials that are never retried, lockout, certificate pinning,
// firmware detection, error mapping, node numbering, UART transcripts and timeouts.
import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import type { BmcClient } from '../../src-main/bmc/bmc-client.ts'
import { BmcService } from '../../src-main/bmc/bmc-service.ts'
import { probeCertificate } from '../../src-main/bmc/pinned-tls.ts'
import type { VirtualBoard } from '../../src-main/virtual-board/virtual-board-server.ts'
import { clientFor, closeAll, firmwares, silentServer, startBoard, waitFor } from '../support/virtual-bmc.ts'
import { api, call, login } from './virtual-board-helpers.ts'
import { rejection } from '../support/app-error.ts'

afterEach(closeAll)

const badLogin = (board: VirtualBoard) =>
  call(board, '/api/bmc/authenticate', {
    method: 'POST',
    body: JSON.stringify({ username: 'root', password: 'nope' }),
  })

describe.each(firmwares)('BMC client on firmware %s', (firmware) => {
  it('logs in once, shares the login between concurrent calls and sends the bearer token', async () => {
    const board = await startBoard({ firmware })
    const client = clientFor(board)
    const [power, usb, flash] = await Promise.all([client.power(), client.usb(), client.flashState()])
    await client.power()
    expect(power).toEqual({ 1: false, 2: false, 3: false, 4: false })
    expect(usb.mode).toBe('device')
    expect(flash).toEqual({ state: 'ready' })
    expect(board.state.snapshot().auth).toEqual({
      logins: 1,
      failedLogins: 0,
      consecutiveFailures: 0,
      blocked: false,
    })
    expect(board.state.snapshot().sessions).toBe(1)
  })

  it('logs in exactly once more when a BMC reload killed its token', async () => {
    const board = await startBoard({ firmware })
    const client = clientFor(board)
    await client.power()
    const other = await login(board)
    expect((await api(board, other, 'opt=set&type=reload')).status).toBe(200)
    await waitFor(() => board.state.snapshot().down)
    await waitFor(() => !board.state.snapshot().down)
    expect(board.state.snapshot().sessions).toBe(0)

    await client.setPower({ 2: true })
    expect(board.state.snapshot().nodes[1]!.power).toBe(true)
    // The client's login, the other client's, and one re-login.
    expect(board.state.snapshot().auth.logins).toBe(3)
    expect(board.state.snapshot().auth.failedLogins).toBe(0)
    await client.power()
    expect(board.state.snapshot().auth.logins).toBe(3)
  })

  it('logs in again after rebooting the BMC itself', async () => {
    const board = await startBoard({ firmware })
    const client = clientFor(board)
    await client.power()
    await client.reboot()
    await waitFor(() => !board.state.snapshot().down && board.state.snapshot().sessions === 0)
    expect((await client.firmware()).firmware.daemon).toBe(firmware === '2.1' ? '2.3.4' : '2.0.5')
    expect(board.state.snapshot().auth.logins).toBe(2)
  })

  it('reports a wrong password as bmc_auth_failed and never asks the BMC again', async () => {
    const board = await startBoard({ firmware })
    const client = clientFor(board, { password: 'wrong' })
    const first = await rejection(client.power())
    expect(first.code).toBe('bmc_auth_failed')
    expect(first.message).toContain('credentials incorrect')
    const requestsAfterFirst = board.state.snapshot().requests

    for (let attempt = 0; attempt < 8; attempt++) {
      const calls = [
        client.power(),
        client.usb(),
        client.flashState(),
        client.setPower({ 1: true }),
        client.firmware(),
      ]
      for (const pending of calls) expect((await rejection(pending)).code).toBe('bmc_auth_failed')
    }
    const snapshot = board.state.snapshot()
    expect(snapshot.requests).toBe(requestsAfterFirst)
    expect(snapshot.auth).toEqual({ logins: 1, failedLogins: 1, consecutiveFailures: 1, blocked: false })
    // The right password still works from this address: no lockout was caused.
    expect(await login(board)).toMatch(/^[A-Za-z0-9]{64}$/)
  })

  it('reports the lockout text as bmc_locked_out, at login and on a live session', async () => {
    const board = await startBoard({ firmware })
    const client = clientFor(board)
    await client.power()
    for (let attempt = 0; attempt < 5; attempt++) await badLogin(board)
    expect(board.state.snapshot().auth.blocked).toBe(true)

    // The live token is refused while the address is blocked.
    const onSession = await rejection(client.power())
    expect(onSession.code).toBe('bmc_locked_out')
    expect(onSession.message).toContain('Exceeded allowed authentication attempts. Access blocked for')

    const fresh = clientFor(board)
    const logins = board.state.snapshot().auth.logins
    const atLogin = await rejection(fresh.usb())
    expect(atLogin.code).toBe('bmc_locked_out')
    expect(atLogin.message).toContain('Exceeded allowed authentication attempts')
    expect(board.state.snapshot().auth.logins).toBe(logins + 1)
    // Not retried: every further attempt would double the block.
    expect((await rejection(fresh.power())).code).toBe('bmc_locked_out')
    expect(board.state.snapshot().auth.logins).toBe(logins + 1)
  })

  it('refuses a certificate other than the pinned one before sending the password', async () => {
    const board = await startBoard({ firmware })
    const trusted = 'AB:'.repeat(31) + 'AB'
    const client = clientFor(board, { fingerprint: trusted })
    const error = await rejection(client.power())
    expect(error.code).toBe('bmc_certificate_changed')
    expect(error.details).toEqual({ expected: trusted, actual: board.fingerprint256 })
    expect(error.message).toContain(board.fingerprint256)
    await rejection(client.setPower({ 1: true }))
    expect(board.state.snapshot().requests).toBe(0)
    expect(board.state.snapshot().auth.logins).toBe(0)
    expect(board.state.snapshot().nodes[0]!.power).toBe(false)
  })

  it('reads the certificate fingerprint for trust on first use', async () => {
    const board = await startBoard({ firmware })
    expect(await probeCertificate(board.url, 2000)).toBe(board.fingerprint256)
    expect(board.state.snapshot().requests).toBe(0)
  })

  it('detects the firmware and its capabilities', async () => {
    const board = await startBoard({ firmware })
    const detected = await clientFor(board).firmware()
    if (firmware === '2.1') {
      expect(detected).toEqual({
        firmware: {
          release: '2.1.0',
          daemon: '2.3.4',
          boardModel: 'Turing Pi 2',
          boardRevision: '2.5',
          hostname: 'turingpi',
          buildTime: '2025-01-17 17:12:52-00:00',
        },
        capabilities: {
          xz: true,
          skipVerify: true,
          sha256: true,
          nodeInfo: true,
          cooling: true,
          uartDrainsOnRead: false,
          serialSocket: true,
        },
      })
    } else {
      expect(detected).toEqual({
        firmware: { release: '2.0.5', daemon: '2.0.5', buildTime: '2023-11-13 10:48:20-00:00' },
        capabilities: {
          xz: false,
          skipVerify: false,
          sha256: false,
          nodeInfo: false,
          cooling: false,
          uartDrainsOnRead: true,
          serialSocket: false,
        },
      })
    }
    const info = await clientFor(board).info()
    expect(info.firmware.release).toBe(detected.firmware.release)
    expect(info.cooling).toEqual(firmware === '2.1' ? [{ device: 'system fan', speed: 2, maxSpeed: 3 }] : [])
  })

  it("maps enveloped and plain-text errors to bmc_error with the BMC's message", async () => {
    const board = await startBoard({ firmware })
    const client = clientFor(board)

    const enveloped = await rejection(client.setCooling('no such fan', 1))
    expect(enveloped.code).toBe('bmc_error')
    expect(enveloped.message).toContain(
      firmware === '2.1'
        ? 'Failed to set Cooling state: cooling device `no such fan` does not exist (HTTP 500)'
        : 'Invalid `type` parameter cooling (HTTP 400)',
    )

    const plain = await rejection(
      client.startFlash({ node: 5 as 1, fileName: 'x.img', length: 10, skipVerify: false }),
    )
    expect(plain.code).toBe('bmc_error')
    expect(plain.message).toContain('Parameter `node` is out of range 0..3 of node IDs (HTTP 500)')

    const upload = await rejection(
      client.upload(1234, Readable.from([Buffer.alloc(1000)]), { length: 1000, fileName: 'x.img' }),
    )
    expect(upload.code).toBe('bmc_error')
    expect(upload.message).toContain(
      'cannot execute command in current state. current=Ready, expected=Transferring',
    )
  })

  it('numbers nodes 1–4 and sends 0–3 to the BMC', async () => {
    const board = await startBoard({ firmware })
    const client = clientFor(board)
    await client.setPower({ 3: true })
    expect(board.state.snapshot().nodes.map((node) => node.power)).toEqual([false, false, true, false])
    expect(await client.power()).toEqual({ 1: false, 2: false, 3: true, 4: false })
    expect((await client.nodes()).find((node) => node.node === 3)?.poweredOn).toBe(true)

    await client.setUsb(2, 'flash', 'bmc')
    expect(board.state.snapshot().usb).toMatchObject({ mode: 'Flash', node: 1, route: 'Bmc' })
    expect(board.state.snapshot().nodes.map((node) => node.usbBoot)).toEqual([false, true, false, false])
    expect(await client.usb()).toMatchObject({ mode: 'flash', node: 2, route: 'bmc' })

    await client.reset(4)
    expect(board.state.snapshot().nodes.map((node) => node.running)).toEqual([false, false, true, true])
  })

  it(`shows only new UART text (${firmware === '2.1' ? 'whole buffer on every read' : 'draining reads'})`, async () => {
    const board = await startBoard({ firmware })
    const client = clientFor(board)
    const service = new BmcService({ client: async () => client })
    await client.setPower({ 2: true })
    const bootLog = await waitFor(() => board.state.uartText(1) || undefined)

    const first = await service.readUart({ boardId: 'board', node: 2 })
    expect(first).toEqual({ text: bootLog, offset: bootLog.length, gap: false })

    await client.sendUart(2, 'uname -a')
    // The service reads the BMC at most every 500 ms.
    await sleep(520)
    const second = await service.readUart({ boardId: 'board', node: 2, since: first.offset })
    expect(second).toEqual({ text: 'uname -a\r\n', offset: bootLog.length + 10, gap: false })
    // Whatever the firmware did to its own buffer, the transcript holds everything once.
    expect(board.state.uartText(1)).toBe(firmware === '2.1' ? `${bootLog}uname -a\r\n` : '')
    expect((await service.readUart({ boardId: 'board', node: 2, since: 0 })).text).toBe(
      `${bootLog}uname -a\r\n`,
    )
  })
})

describe('BMC client timeouts', () => {
  it('gives up with a timeout error when the BMC accepts TLS but never answers', async () => {
    const server = await silentServer('tls')
    const bmc = clientForUrl(server.url, server.fingerprint, 300)
    const started = Date.now()
    const error = await rejection(bmc.power())
    expect(error.code).toBe('timeout')
    expect(Date.now() - started).toBeLessThan(3000)
    expect(server.connections()).toBe(1)
  })

  it('gives up quickly when the BMC accepts TCP but never starts TLS', async () => {
    const server = await silentServer('tcp')
    const bmc = clientForUrl(server.url, server.fingerprint, 300)
    const started = Date.now()
    const error = await rejection(bmc.power())
    // A TLS handshake that never comes looks like a host that is not there: "check it is powered".
    expect(error.code).toBe('bmc_unreachable')
    expect(error.message).toContain('Connect Timeout Error')
    expect(Date.now() - started).toBeLessThan(3000)
    expect(server.connections()).toBe(1)
  })
})

function clientForUrl(url: string, fingerprint: string, timeoutMs: number): BmcClient {
  const board = { url, fingerprint256: fingerprint, credentials: { username: 'root', password: 'turing' } }
  return clientFor(board as VirtualBoard, {}, { timeoutMs })
}
