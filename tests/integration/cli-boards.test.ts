// The `clusterdeck board` commands as a user runs them: a real process, a real SQLite file in a
// temporary CLUSTERDECK_HOME, and the real Secret Service.
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { filesContaining } from '../support/find-in-files.ts'
import { runCli } from '../support/run-cli.ts'
import { makeTempDir } from '../support/temp-dir.ts'

const password = 'cli-test-password-7f3a9'
let home: ReturnType<typeof makeTempDir>
let env: NodeJS.ProcessEnv

beforeAll(() => {
  home = makeTempDir()
  env = { CLUSTERDECK_HOME: home.path, CLUSTERDECK_BMC_PASSWORD: '' }
})
afterAll(() => home.remove())

function keychainHas(secret: string): boolean {
  const out = execFileSync('secret-tool', ['search', '--all', 'service', 'clusterdeck'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return out.includes(`secret = ${secret}`)
}

describe('clusterdeck board', () => {
  it('adds a board with the password from stdin', async () => {
    const run = await runCli(['board', 'add', 'rack-1', '--address', '192.168.1.90', '--password-stdin'], {
      env,
      stdin: `${password}\n`,
    })
    expect(run).toMatchObject({ code: 0, stderr: '' })
    expect(run.stdout).toContain('Added board "rack-1" (https://192.168.1.90)')
    expect(keychainHas(password)).toBe(true)
  })

  it('adds a board with the password from CLUSTERDECK_BMC_PASSWORD', async () => {
    const run = await runCli(
      ['board', 'add', 'rack-2', '--address', 'turingpi.local:8443', '--user', 'admin'],
      {
        env: { ...env, CLUSTERDECK_BMC_PASSWORD: 'from-env-9c1' },
      },
    )
    expect(run.code).toBe(0)
    expect(keychainHas('from-env-9c1')).toBe(true)
  })

  it('lists the boards as a table and as JSON, without passwords', async () => {
    const table = await runCli(['board', 'list'], { env })
    expect(table.code).toBe(0)
    expect(table.stdout.split('\n')).toEqual([
      'NAME    ADDRESS                      USER   PASSWORD',
      'rack-1  https://192.168.1.90         root   in keychain',
      'rack-2  https://turingpi.local:8443  admin  in keychain',
      '',
    ])
    const json = await runCli(['board', 'list', '--json'], { env })
    const boards = JSON.parse(json.stdout) as Array<Record<string, unknown>>
    expect(boards.map((b) => b.name)).toEqual(['rack-1', 'rack-2'])
    expect(json.stdout).not.toContain(password)
  })

  it('shows one board by name', async () => {
    const run = await runCli(['board', 'show', 'RACK-1', '--json'], { env })
    expect(JSON.parse(run.stdout)).toMatchObject({
      name: 'rack-1',
      address: 'https://192.168.1.90',
      hasPassword: true,
    })
  })

  it('never takes the password as a flag value', async () => {
    const run = await runCli(['board', 'add', 'rack-3', '--address', '10.0.0.3', '--password', 'oops'], {
      env,
    })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/never taken as a flag value/)
    expect((await runCli(['board', 'list', '--json'], { env })).stdout).not.toContain('rack-3')
  })

  it('refuses bad input with a clear error and changes nothing', async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ['board', 'add', '', '--address', '10.0.0.4', '--password-stdin'],
        /name: is empty: give the board a name/,
      ],
      [
        ['board', 'add', 'rack-4', '--address', '10.0.0.400', '--password-stdin'],
        /"10.0.0.400" is not a BMC address/,
      ],
      [
        ['board', 'add', 'Rack-1', '--address', '10.0.0.4', '--password-stdin'],
        /A board named "rack-1" already exists/,
      ],
      [['board', 'add', 'rack-4', '--address', '10.0.0.4'], /no BMC password given/],
    ]
    for (const [args, message] of cases) {
      const run = await runCli(args, { env, stdin: 'some-password' })
      expect(run.code, args.join(' ')).not.toBe(0)
      expect(run.stderr).toMatch(message)
    }
    const list = JSON.parse((await runCli(['board', 'list', '--json'], { env })).stdout) as unknown[]
    expect(list).toHaveLength(2)
    expect(keychainHas('some-password')).toBe(false)
  })

  it('edits a board and its password', async () => {
    const run = await runCli(['board', 'edit', 'rack-2', '--name', 'rack-two', '--password-stdin'], {
      env,
      stdin: 'replaced-password-41',
    })
    expect(run.code).toBe(0)
    expect(keychainHas('from-env-9c1')).toBe(false)
    expect(keychainHas('replaced-password-41')).toBe(true)
  })

  it('keeps the password on edit unless asked, even with CLUSTERDECK_BMC_PASSWORD set', async () => {
    const rename = await runCli(['board', 'edit', 'rack-two', '--name', 'rack-2b'], {
      env: { ...env, CLUSTERDECK_BMC_PASSWORD: 'stray-env-password-55' },
    })
    expect(rename).toMatchObject({ code: 0, stdout: 'Updated board "rack-2b".\n' })
    expect(keychainHas('replaced-password-41')).toBe(true)
    expect(keychainHas('stray-env-password-55')).toBe(false)

    const unset = await runCli(['board', 'edit', 'rack-2b', '--password-from-env'], { env })
    expect(unset.code).toBe(2)
    expect(unset.stderr).toMatch(/CLUSTERDECK_BMC_PASSWORD is not set/)

    const fromEnv = await runCli(['board', 'edit', 'rack-2b', '--name', 'rack-two', '--password-from-env'], {
      env: { ...env, CLUSTERDECK_BMC_PASSWORD: 'replaced-password-42' },
    })
    expect(fromEnv.code).toBe(0)
    expect(keychainHas('replaced-password-42')).toBe(true)
    expect(keychainHas('replaced-password-41')).toBe(false)
  })

  it('asks before removing, and removes the keychain entry with --yes', async () => {
    const unconfirmed = await runCli(['board', 'remove', 'rack-1'], { env })
    expect(unconfirmed.code).not.toBe(0)
    expect(unconfirmed.stderr).toMatch(/was not removed.*\n.*pass --yes/)
    expect(keychainHas(password)).toBe(true)

    const removed = await runCli(['board', 'remove', 'rack-1', '--yes'], { env })
    expect(removed.code).toBe(0)
    expect(keychainHas(password)).toBe(false)
    const missing = await runCli(['board', 'show', 'rack-1'], { env })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/No board "rack-1" is saved/)
  })

  it('leaves no password anywhere in the data directory', () => {
    for (const secret of [password, 'from-env-9c1', 'replaced-password-41', 'replaced-password-42']) {
      expect(filesContaining(home.path, secret)).toEqual([])
    }
  })

  it('says clearly when there is no keychain, and saves nothing', async () => {
    const run = await runCli(['board', 'add', 'rack-9', '--address', '10.0.0.9', '--password-stdin'], {
      env: { ...env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/clusterdeck-bus' },
      stdin: 'no-keychain-pw',
    })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/Could not save a password to the Secret Service/)
    expect(run.stderr).toMatch(/hint: No usable keychain: .*no D-Bus session/)
    // The exact command that provides one, ending in this very command.
    expect(run.stderr).toContain(
      'Fix: dbus-run-session -- bash -c \'read -rsp "Keyring password: " pw; echo; printf %s "$pw" | gnome-keyring-daemon --replace --unlock --components=secrets >/dev/null; clusterdeck board add rack-9 --address 10.0.0.9 --password-stdin\'',
    )
    expect((await runCli(['board', 'list', '--json'], { env })).stdout).not.toContain('rack-9')
  })
})
