// `npm run serve` as a real process under hostile and flooding clients: malformed frames cost it
// nothing, every request of a flood is answered or refused as busy, and SIGTERM stops it within a
// few seconds however many requests are in flight. Needs the built renderer (npx electron-vite build).
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ServerMessage } from '../../src-shared/contract/ws-protocol.ts'
import { makeTempDir } from '../support/temp-dir.ts'
import { connectWsClient, type WsClient } from '../support/ws-client.ts'
import { frame, rawClient } from './support/raw-websocket.ts'

const root = join(import.meta.dirname, '..', '..')
let home: ReturnType<typeof makeTempDir>

beforeAll(() => {
  if (!existsSync(join(root, 'out', 'renderer', 'index.html'))) {
    throw new Error('The renderer is not built; run npx electron-vite build first.')
  }
  home = makeTempDir()
})

afterAll(() => home.remove())

interface Served {
  child: ChildProcess
  port: number
  token: string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>
  stderr(): string
}

async function serve(): Promise<Served> {
  const child = spawn(process.execPath, [join(root, 'src-main', 'transport', 'serve.ts')], {
    env: { ...process.env, CLUSTERDECK_HOME: join(home.path, 'data') },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  )
  for (let i = 0; i < 600 && !/#token=/.test(stdout) && child.exitCode === null; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const url = /http:\/\/127\.0\.0\.1:(\d+)\/#token=([\w-]+)/.exec(stdout)
  if (!url) throw new Error(`serve did not start:\n${stdout}\n${stderr}`)
  return { child, port: Number(url[1]), token: url[2]!, exited, stderr: () => stderr }
}

/** Sends count boards.list invokes on the client at once, without waiting between them. */
function flood(client: WsClient, count: number, firstId: number): void {
  for (let id = firstId; id < firstId + count; id++) {
    client.sendText(JSON.stringify({ kind: 'invoke', id, name: 'boards.list', input: {} }))
  }
}

const results = (client: WsClient) =>
  client.messages.filter((m): m is Extract<ServerMessage, { kind: 'result' }> => m.kind === 'result')

describe('serve under hostile and flooding clients', () => {
  it('outlives malformed frames, answers a flood within its bounds, and stops on SIGTERM', async () => {
    const served = await serve()
    try {
      for (const spec of [
        { payload: Buffer.from([0xc3, 0x28]) },
        { payload: '{}', masked: false },
        { payload: '{}', rsv: 4 },
        { payload: Buffer.alloc(8), announcedLength: 32 * 1024 * 1024 },
      ]) {
        const hostile = await rawClient(served.port)
        hostile.write(frame(spec))
        await hostile.ended
      }
      expect(served.child.exitCode).toBeNull()

      // 2,000 requests over four connections: each is answered, as a result or a busy refusal.
      const clients = await Promise.all(
        Array.from({ length: 4 }, () => connectWsClient(served.port, served.token)),
      )
      await Promise.all(clients.map((client) => client.waitFor((m) => m.kind === 'ready')))
      clients.forEach((client) => flood(client, 500, 1000))
      for (const client of clients) {
        for (let i = 0; i < 3000 && results(client).length < 500; i++) {
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
        expect(results(client)).toHaveLength(500)
        for (const { result } of results(client)) {
          expect(result.ok ? 'ok' : result.error.code).toMatch(/^(ok|busy)$/)
        }
      }
      // Still answering: the only board is the virtual one serve starts when none is saved.
      const listed = (await clients[0]!.invoke('boards.list', {})) as {
        ok: boolean
        value: Array<{ kind: string }>
      }
      expect(listed.ok).toBe(true)
      expect(listed.value.every((board) => board.kind === 'virtual')).toBe(true)

      // Another flood, and SIGTERM while it is in flight.
      clients.forEach((client) => flood(client, 500, 5000))
      const sentAt = Date.now()
      served.child.kill('SIGTERM')
      const { code, at } = await served.exited
      expect(code).toBe(0)
      expect(at - sentAt).toBeLessThan(5_000)
      expect(served.stderr()).not.toMatch(/Unhandled|Error:/)
    } finally {
      served.child.kill('SIGKILL')
    }
  })

  it('stops on Ctrl-C (SIGINT) with requests in flight', async () => {
    const served = await serve()
    try {
      const client = await connectWsClient(served.port, served.token)
      await client.waitFor((m) => m.kind === 'ready')
      flood(client, 500, 1)
      const sentAt = Date.now()
      served.child.kill('SIGINT')
      const { code, at } = await served.exited
      expect(code).toBe(0)
      expect(at - sentAt).toBeLessThan(5_000)
    } finally {
      served.child.kill('SIGKILL')
    }
  })
})
