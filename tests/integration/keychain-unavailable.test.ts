// The host and the CLI without a usable keychain: no D-Bus session bus, a dead one, a Secret Service
// without a default keyring, and one that never answers. Each time the host still prints its
// address, says what is missing with the command that fixes it, runs the virtual board (it needs no
// keychain) and stops on SIGTERM.
import { createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { randomUUID } from 'node:crypto'
import { createAppCore } from '../../src-main/core/app-core.ts'
import { KeyringSecretStore } from '../../src-main/secrets/keyring-secret-store.ts'
import { openDatabase } from '../../src-main/store/database.ts'
import { runCli } from '../support/run-cli.ts'
import { runServe, type ServeRun } from '../support/run-serve.ts'
import { makeTempDir } from '../support/temp-dir.ts'

let home: ReturnType<typeof makeTempDir>
let serve: ServeRun | undefined
let hangingBus: Server
let hangingBusPath: string
const sockets = new Set<Socket>()

beforeAll(async () => {
  home = makeTempDir()
  // A "session bus" that accepts connections and never answers, as a wedged dbus-daemon does.
  hangingBusPath = join(home.path, 'hanging-bus.sock')
  hangingBus = createServer((socket) => {
    sockets.add(socket)
    socket.on('data', () => undefined).on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => hangingBus.listen(hangingBusPath, resolve))
})
afterEach(async () => {
  await serve?.stop()
  serve = undefined
})
afterAll(async () => {
  for (const socket of sockets) socket.destroy()
  await new Promise((resolve) => hangingBus.close(resolve))
  home.remove()
})

function envWith(bus: string | undefined, dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CLUSTERDECK_HOME: dataDir }
  if (bus === undefined) delete env.DBUS_SESSION_BUS_ADDRESS
  else env.DBUS_SESSION_BUS_ADDRESS = bus
  return env
}

describe('the host without a D-Bus session', () => {
  for (const [label, bus] of [
    ['no DBUS_SESSION_BUS_ADDRESS', undefined],
    ['a bus address whose socket is gone', 'unix:path=/nonexistent/clusterdeck-bus'],
  ] as const) {
    it(`opens, names the problem and the fix, and runs the virtual board (${label})`, async () => {
      const dataDir = join(home.path, label.replace(/\W+/g, '-'))
      serve = runServe(envWith(bus, dataDir))
      await serve.waitFor(/Open this address in a browser:\s+http:\/\/127\.0\.0\.1:\d+\/#token=/)
      await serve.waitFor(/Keychain: No usable keychain: .*there is no D-Bus session with a Secret Service/)
      await serve.waitFor(
        /dbus-run-session -- bash -c '.*gnome-keyring-daemon --replace --unlock .*; npm run serve'/,
      )
      const [, url] = await serve.waitFor(/Virtual board: running at (https:\/\/127\.0\.0\.1:\d+)/)

      // Everything that needs no password works, the virtual board included.
      const env = envWith(bus, dataDir)
      const list = await runCli(['board', 'list', '--json'], { env })
      expect(list.code).toBe(0)
      expect(JSON.parse(list.stdout)).toMatchObject([
        { name: 'Virtual board', kind: 'virtual', address: url },
      ])
      const power = await runCli(['bmc', '--board', 'Virtual board', 'power', 'status'], { env })
      expect(power).toMatchObject({ code: 0, stdout: expect.stringContaining('node 1  off') })

      expect(await serve.stop()).toMatchObject({ code: 0 })
    })
  }
})

describe('the host with a Secret Service that cannot store', () => {
  it('reports the missing default keyring with the command that creates it', async () => {
    const scratch = join(home.path, 'no-collection')
    // gnome-keyring started without --unlock: it answers, but has no login keyring to write to.
    // A keyring folder of its own: under npm test, XDG_DATA_HOME points at the session's unlocked
    // keyring, which this daemon would find locked and ask a password for.
    const isolated = {
      HOME: scratch,
      XDG_DATA_HOME: join(scratch, '.local', 'share'),
      XDG_CONFIG_HOME: join(scratch, '.config'),
    }
    serve = runServe({ ...envWith(undefined, join(scratch, 'data')), ...isolated }, [
      'dbus-run-session',
      '--',
      'bash',
      '-c',
      'gnome-keyring-daemon --start --components=secrets >/dev/null; exec "$@"',
      'keyring',
    ])
    await serve.waitFor(/Open this address in a browser/)
    await serve.waitFor(/Keychain: No usable keychain: .*no unlocked default \("login"\) keyring/)
    await serve.waitFor(
      /bash -c 'read -rsp "Keyring password: " pw; .*gnome-keyring-daemon --replace --unlock/,
    )
    await serve.waitFor(/Virtual board: running at https:\/\/127\.0\.0\.1:\d+/)
  })
})

describe('a Secret Service that never answers', () => {
  it('fails keychain calls after the time limit while the event loop stays free', async () => {
    const previous = process.env.DBUS_SESSION_BUS_ADDRESS
    process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${hangingBusPath}`
    const store = new KeyringSecretStore({
      service: 'clusterdeck-hang-test',
      timeoutMs: 800,
      coolDownMs: 60_000,
    })
    try {
      let ticks = 0
      const ticker = setInterval(() => ticks++, 50)
      const started = Date.now()
      const status = await store.status()
      clearInterval(ticker)
      expect(status).toMatchObject({
        available: false,
        notice: expect.stringMatching(/did not answer within 0.8 s/),
      })
      expect(Date.now() - started).toBeLessThan(5000)
      expect(ticks).toBeGreaterThan(5)
      // Within the cool-down further calls fail at once instead of piling up behind the hung one.
      const fast = Date.now()
      await expect(store.get('board:x:bmc-password')).rejects.toMatchObject({ code: 'secrets_unavailable' })
      expect(Date.now() - fast).toBeLessThan(500)
    } finally {
      store.close()
      if (previous === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS
      else process.env.DBUS_SESSION_BUS_ADDRESS = previous
    }
  })

  it('answers 2,000 board listings at once, without freezing, while the keychain hangs', async () => {
    const previous = process.env.DBUS_SESSION_BUS_ADDRESS
    process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${hangingBusPath}`
    const secrets = new KeyringSecretStore({ service: 'clusterdeck-hang-test', timeoutMs: 800 })
    const core = createAppCore({ dataDir: join(home.path, 'many-lists'), secrets, transport: 'websocket' })
    const db = openDatabase(join(home.path, 'many-lists'))
    try {
      // Boards saved by an older version: whether their password is in the keychain is not known.
      for (const n of [1, 2, 3]) {
        db.prepare(
          `INSERT INTO boards (id, name, address, bmc_user, created_at, updated_at) VALUES (?, ?, ?, 'root', '2026-01-01', '2026-01-01')`,
        ).run(randomUUID(), `rack-${n}`, `https://192.0.2.${n}`)
      }
      let ticks = 0
      const ticker = setInterval(() => ticks++, 50)
      const started = Date.now()
      const results = await Promise.all(Array.from({ length: 2000 }, () => core.dispatch('boards.list', {})))
      clearInterval(ticker)
      expect(results.every((result) => result.ok && (result.value as unknown[]).length === 3)).toBe(true)
      expect(Date.now() - started).toBeLessThan(10_000)
      expect(ticks).toBeGreaterThan(5)
    } finally {
      db.close()
      await core.close()
      if (previous === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS
      else process.env.DBUS_SESSION_BUS_ADDRESS = previous
    }
  })

  it('leaves the host answering and stopping on SIGTERM', async () => {
    const dataDir = join(home.path, 'hanging')
    const env = envWith(`unix:path=${hangingBusPath}`, dataDir)
    serve = runServe(env)
    await serve.waitFor(/Open this address in a browser/)
    await serve.waitFor(/Virtual board: running at/)
    expect((await runCli(['board', 'list'], { env })).code).toBe(0)
    const stopped = await serve.stop()
    serve = undefined
    expect(stopped.code).toBe(0)
    expect(stopped.ms).toBeLessThan(5000)
  })
})
