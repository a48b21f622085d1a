// The loopback WebSocket host with a real core, SQLite file and Secret Service: who may connect,
// and the contract carried over it.
import { randomUUID } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { get } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createAppCore, type AppCore } from '../../src-main/core/app-core.ts'
import { KeyringSecretStore } from '../../src-main/secrets/keyring-secret-store.ts'
import { startWsHost, type WsHost } from '../../src-main/transport/ws-host.ts'
import { makeTempDir } from '../support/temp-dir.ts'
import { connectWsClient } from '../support/ws-client.ts'

let dir: ReturnType<typeof makeTempDir>
let core: AppCore
let host: WsHost
let token: string

beforeAll(async () => {
  dir = makeTempDir()
  const rendererDir = join(dir.path, 'renderer')
  mkdirSync(rendererDir)
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>test renderer</title>')
  writeFileSync(join(dir.path, 'outside.txt'), 'not for the web')
  core = createAppCore({
    dataDir: join(dir.path, 'data'),
    secrets: new KeyringSecretStore(`clusterdeck-test-${randomUUID()}`),
    transport: 'websocket',
  })
  host = await startWsHost({ core, rendererDir })
  token = new URL(host.url).hash.replace('#token=', '')
})

afterAll(async () => {
  await host.close()
  await core.close()
  dir.remove()
})

const connect = (options: { token?: string; origin?: string } = {}) =>
  connectWsClient(host.port, options.token ?? token, options.origin ? { origin: options.origin } : {})

describe('WebSocket host', () => {
  it('listens on 127.0.0.1 only and gives a URL with the token in the fragment', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{43}$/)
  })

  it('serves the renderer with a strict CSP, and nothing outside it', async () => {
    const page = await fetch(`http://127.0.0.1:${host.port}/`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('test renderer')
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'/)
    const escape = await fetch(`http://127.0.0.1:${host.port}/..%2foutside.txt`)
    expect(escape.status).toBe(404)
  })

  it('refuses requests for another host name (DNS rebinding)', async () => {
    // fetch() will not send a foreign Host header, so ask with node:http.
    const status = await new Promise<number | undefined>((resolve, reject) =>
      get({ host: '127.0.0.1', port: host.port, path: '/', headers: { host: 'evil.example' } }, (res) => {
        res.resume()
        resolve(res.statusCode)
      }).on('error', reject),
    )
    expect(status).toBe(421)
  })

  it('closes a client with the wrong token before it can call anything', async () => {
    const client = await connect({ token: 'wrong' })
    client.ws.send(JSON.stringify({ kind: 'invoke', id: 1, name: 'boards.list', input: {} }))
    expect(await client.closed).toEqual({ code: 4401, reason: 'bad token' })
    expect(client.messages).toEqual([])
  })

  it('refuses a WebSocket upgrade from another origin', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api`, { origin: 'https://evil.example' })
    const outcome = await new Promise<string>((resolve) => {
      ws.on('open', () => resolve('open'))
      ws.on('error', (error) => resolve(error.message))
    })
    expect(outcome).toMatch(/403/)
  })

  it('carries requests and typed errors', async () => {
    const client = await connect()
    expect(await client.invoke('boards.list', {})).toEqual({ ok: true, value: [] })
    const invalid = await client.invoke('boards.add', {
      name: '',
      address: '10.0.0.1',
      user: 'root',
      password: 'x',
    })
    expect(invalid).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringMatching(/^name:/) },
    })
    expect(await client.invoke('nope.nothing', {})).toMatchObject({
      ok: false,
      error: { code: 'unknown_request' },
    })
    client.ws.close()
  })

  it('sends events to every connected client', async () => {
    const first = await connect()
    const second = await connect()
    await first.invoke('system.info', {})
    await second.invoke('system.info', {})
    const added = await first.invoke('boards.add', {
      name: 'ws-1',
      address: '10.0.0.1',
      user: 'root',
      password: 'pw-ws-1',
    })
    expect(added).toMatchObject({ ok: true, value: { name: 'ws-1', hasPassword: true } })
    for (let i = 0; i < 100 && !second.messages.some((m) => m.kind === 'event'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    expect(second.messages.find((m) => m.kind === 'event')).toMatchObject({
      kind: 'event',
      name: 'boards.changed',
      payload: { boards: [{ name: 'ws-1' }] },
    })
    const board = (added as { value: { id: string } }).value
    expect(await first.invoke('boards.remove', { id: board.id })).toMatchObject({ ok: true })
    first.ws.close()
    second.ws.close()
  })

  it('answers a message outside the protocol with an error and keeps the connection', async () => {
    const client = await connect()
    client.ws.send('not json')
    expect(await client.invoke('boards.list', {})).toEqual({ ok: true, value: [] })
    expect(client.messages.find((m) => m.kind === 'error')).toMatchObject({
      error: { code: 'invalid_input', message: 'The message was refused: the message is not JSON' },
    })
    client.ws.close()
  })

  it('closes a client whose first message is outside the protocol', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api`)
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)))
    ws.on('open', () => ws.send('not json'))
    expect(await closed).toBe(4400)
  })
})
