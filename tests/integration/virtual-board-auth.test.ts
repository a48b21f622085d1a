// Authentication of the virtual board over real HTTPS: login, bearer and Basic, the exact 401/403
// texts and challenges, the lockout with its doubling, sliding token expiry and restarts.
import { X509Certificate } from 'node:crypto'
import { connect } from 'node:tls'
import { afterEach, describe, expect, it } from 'vitest'
import type { VirtualBoard } from '../../src-main/virtual-board/virtual-board-server.ts'
import { startVirtualBoard } from '../../src-main/virtual-board/virtual-board-server.ts'
import { api, call, login } from './virtual-board-helpers.ts'

const realm = 'Access to Baseboard Management Controller'
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

function manualClock() {
  let now = 0
  return { now: () => now, advance: (ms: number) => void (now += ms) }
}

let board: VirtualBoard | undefined
afterEach(async () => {
  await board?.close()
  board = undefined
})

const badLogin = (target: VirtualBoard) =>
  call(target, '/api/bmc/authenticate', {
    method: 'POST',
    body: JSON.stringify({ username: 'root', password: 'nope' }),
  })

describe('virtual board authentication', () => {
  it('serves a pinnable self-signed certificate', async () => {
    board = await startVirtualBoard({ firmware: '2.1' })
    const peer = await new Promise<{ fingerprint256: string; subject: string; san: string | undefined }>(
      (resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port: board!.port, rejectUnauthorized: false }, () => {
          const certificate = socket.getPeerCertificate()
          resolve({
            fingerprint256: certificate.fingerprint256,
            subject: certificate.subject.CN as string,
            san: certificate.subjectaltname,
          })
          socket.end()
        })
        socket.once('error', reject)
      },
    )
    expect(peer).toEqual({
      fingerprint256: board.fingerprint256,
      subject: 'Turing-Pi self signed',
      san: undefined,
    })
    const validity = new X509Certificate(board.certificate.cert)
    expect(Date.parse(validity.validTo) - Date.parse(validity.validFrom)).toBeLessThanOrEqual(
      30 * 86_400_000 + 1000,
    )
  })

  it('logs in and accepts the bearer token and Basic credentials', async () => {
    board = await startVirtualBoard({ firmware: '2.1' })
    const response = await call(board, '/api/bmc/authenticate', {
      method: 'POST',
      body: '{"username":"root","password":"turing"}',
    })
    expect(response.status).toBe(200)
    const session = JSON.parse(response.text) as Record<string, string>
    expect(session).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9]{64}$/),
      name: 'User Session',
      description: 'User Session',
      username: 'root',
    })
    expect(response.headers['x-auth-token']).toBe(session.id)

    expect((await api(board, session.id!, 'opt=get&type=power')).status).toBe(200)
    const withBasic = await call(board, '/api/bmc?opt=get&type=power', {
      authorization: basic('root', 'turing'),
    })
    expect(withBasic.status).toBe(200)
  })

  it.each([
    [undefined, 'no authorization header provided', `Basic realm="${realm}"`],
    [
      'Bearer abc',
      'token abc is not registered',
      `Bearer realm="${realm}" error="invalid_token" error_description="token abc is not registered"`,
    ],
    [basic('root', 'wrong'), 'credentials incorrect', `Basic realm="${realm}"`],
    [basic('admin', 'turing'), 'credentials incorrect', `Basic realm="${realm}"`],
    ['Digest x', 'Digest authentication not supported', `realm="${realm}"`],
    ['Bearer', 'cannot parse authorization header: Bearer', `Basic realm="${realm}"`],
  ])('answers %s with 401 "%s"', async (authorization, message, challenge) => {
    board = await startVirtualBoard({ firmware: '2.1' })
    const response = await call(board, '/api/bmc?opt=get&type=power', authorization ? { authorization } : {})
    expect(response).toMatchObject({ status: 401, text: message })
    expect(response.headers['www-authenticate']).toBe(challenge)
  })

  it('answers bad logins with 403 texts', async () => {
    board = await startVirtualBoard({ firmware: '2.1' })
    expect(await badLogin(board)).toMatchObject({ status: 403, text: 'credentials incorrect' })
    const garbage = await call(board, '/api/bmc/authenticate', { method: 'POST', body: '{not json' })
    expect(garbage.status).toBe(403)
    expect(garbage.text).toMatch(/^error trying to parse credentials: /)
  })

  it('locks the peer out from the 5th failure, doubling the block, even for valid tokens', async () => {
    const clock = manualClock()
    board = await startVirtualBoard({ firmware: '2.1', clock })
    const token = await login(board)
    for (let i = 0; i < 3; i++) expect((await badLogin(board)).text).toBe('credentials incorrect')
    // Unknown bearer tokens count too.
    expect((await api(board, 'stale', 'opt=get&type=power')).text).toBe('token stale is not registered')

    const blocked = await badLogin(board)
    expect(blocked).toMatchObject({
      status: 403,
      text: 'Exceeded allowed authentication attempts. Access blocked for 1m',
    })
    const withToken = await api(board, token, 'opt=get&type=power')
    expect(withToken.status).toBe(401)
    expect(withToken.text).toBe('Exceeded allowed authentication attempts. Access blocked for 1m')
    clock.advance(1500)
    expect(await login(board).catch((error: Error) => error.message)).toBe(
      'login failed: 403 Exceeded allowed authentication attempts. Access blocked for 58s 500ms',
    )

    clock.advance(60_000)
    expect((await badLogin(board)).text).toBe(
      'Exceeded allowed authentication attempts. Access blocked for 2m',
    )
    clock.advance(120_000)
    expect((await badLogin(board)).text).toBe(
      'Exceeded allowed authentication attempts. Access blocked for 4m',
    )
    for (let i = 0; i < 12; i++) {
      clock.advance(1024 * 60_000)
      await badLogin(board)
    }
    clock.advance(1024 * 60_000)
    expect((await badLogin(board)).text).toBe(
      'Exceeded allowed authentication attempts. Access blocked for 17h 4m',
    )

    // A success after the block clears the count (the token itself has expired by now).
    clock.advance(1024 * 60_000)
    expect(
      (await call(board, '/api/bmc?opt=get&type=power', { authorization: basic('root', 'turing') })).status,
    ).toBe(200)
    expect((await badLogin(board)).text).toBe('credentials incorrect')
  })

  it('expires tokens after the sliding lifetime', async () => {
    const clock = manualClock()
    board = await startVirtualBoard({ firmware: '2.1', clock, tokenTtlMs: 10_000 })
    const token = await login(board)
    clock.advance(9_000)
    expect((await api(board, token, 'opt=get&type=power')).status).toBe(200)
    clock.advance(9_000)
    expect((await api(board, token, 'opt=get&type=power')).status).toBe(200)
    clock.advance(12_000)
    expect(await api(board, token, 'opt=get&type=power')).toMatchObject({
      status: 401,
      text: 'token expired 12s ago',
    })
    expect((await api(board, token, 'opt=get&type=power')).text).toBe(`token ${token} is not registered`)
  })

  it('serves the info endpoint without authentication where each firmware has it', async () => {
    board = await startVirtualBoard({ firmware: '2.1' })
    const info = await call(board, '/info')
    expect(info.status).toBe(200)
    expect(JSON.parse(info.text).response[0].result[0]).toMatchObject({
      api: '1.1',
      version: '2.3.4',
      ip: 'Unknown',
      mac: 'Unknown',
    })
    expect((await call(board, '/')).status).toBe(200)
    await board.close()

    board = await startVirtualBoard({ firmware: '2.0.5' })
    const old = await call(board, '/api/bmc/info')
    expect(JSON.parse(old.text).response[0].result[0]).toMatchObject({ version: '2.0.5', ip: '127.0.0.1' })
    expect((await call(board, '/')).status).toBe(401)
  })

  it('forgets every token on reboot and comes back after a while', async () => {
    board = await startVirtualBoard({ firmware: '2.1', rebootDurationMs: 300 })
    const token = await login(board)
    expect(JSON.parse((await api(board, token, 'opt=set&type=reboot')).text)).toEqual({
      response: [{ result: 'ok' }],
    })
    await expect(api(board, token, 'opt=get&type=power')).rejects.toThrow()
    expect(board.state.snapshot().down).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(await api(board, token, 'opt=get&type=power')).toMatchObject({
      status: 401,
      text: `token ${token} is not registered`,
    })
    expect((await api(board, await login(board), 'opt=get&type=power')).status).toBe(200)
  })
})
