// Hostile profile paths and documents through the real CLI: only regular files of at most 1 MiB
// are read (a device, a FIFO or a directory is refused at once), and an alias bomb is bad input
// (exit 2) for import, validate and deploy alike, read through one YAML loader.
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { profileYamlMaxBytes } from '../../src-shared/contract/profiles.ts'
import { runCli } from '../support/run-cli.ts'
import { makeTempDir } from '../support/temp-dir.ts'

let dir: ReturnType<typeof makeTempDir>
let env: NodeJS.ProcessEnv
const path = (name: string) => join(dir.path, name)

// Each level holds nine aliases of the one before: six levels stand for 9^6 ≈ 530,000 nodes.
const aliasBomb = ['a: &a [x, x, x, x, x, x, x, x, x]']
  .concat(
    ['b', 'c', 'd', 'e', 'f'].map(
      (name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcde'[i]}`).join(', ')}]`,
    ),
  )
  .join('\n')

beforeAll(() => {
  dir = makeTempDir()
  env = { CLUSTERDECK_HOME: path('home') }
  execFileSync('mkfifo', [path('pipe.yaml')])
  mkdirSync(path('folder.yaml'))
  writeFileSync(path('bomb.yaml'), aliasBomb)
  writeFileSync(path('large.yaml'), `name: lab\n#${'x'.repeat(profileYamlMaxBytes)}\n`)
  writeFileSync(path('latin1.yaml'), Buffer.from('name: caf\xe9\n', 'latin1'))
})

afterAll(() => dir.remove())

async function expectBadInput(args: string[], message: RegExp): Promise<void> {
  const run = await runCli(args, { env })
  expect(run.stderr, args.join(' ')).toMatch(message)
  expect(run.stderr).not.toMatch(/bug in Clusterdeck|\n\s+at /)
  expect(run.code, args.join(' ')).toBe(2)
}

const cases = (...commands: string[][]) => commands.map((args) => [args.join(' '), args] as const)

describe('profile files', () => {
  it.each(cases(['profile', 'import'], ['profile', 'validate'], ['deploy', '--dry-run']))(
    '%s /dev/zero: a device is refused without reading it',
    async (_name, args) => {
      await expectBadInput([...args, '/dev/zero'], /\/dev\/zero is a device, not a profile file/)
    },
  )

  it.each(cases(['profile', 'import'], ['profile', 'validate'], ['deploy']))(
    '%s FIFO: a named pipe with no writer is refused, not waited on',
    async (_name, args) => {
      await expectBadInput([...args, path('pipe.yaml')], /is a named pipe \(FIFO\), not a profile file/)
    },
  )

  it('refuses a directory, a file over the limit, text that is not UTF-8 and a missing file', async () => {
    await Promise.all([
      expectBadInput(['profile', 'import', path('folder.yaml')], /is a directory, not a profile file/),
      expectBadInput(
        ['profile', 'import', path('large.yaml')],
        /is 1\.0 MiB; a profile file may be at most 1 MiB/,
      ),
      expectBadInput(['profile', 'import', path('latin1.yaml')], /is not UTF-8 text/),
      expectBadInput(
        ['profile', 'import', path('missing.yaml')],
        /Cannot read .*missing\.yaml: there is no such file/,
      ),
    ])
  })

  it('refuses to export onto a directory or a FIFO nobody reads', async () => {
    const board = await runCli(['board', 'add', 'rack-1', '--address', '10.0.0.1', '--password-stdin'], {
      env,
      stdin: 'faults-pw',
    })
    expect(board.code, board.stderr).toBe(0)
    const created = await runCli(
      ['profile', 'new', '--template', 'talos-rk1-longhorn', '--name', 'lab', '--board', 'rack-1'],
      { env },
    )
    expect(created.code, created.stderr).toBe(0)
    await Promise.all([
      expectBadInput(
        ['profile', 'export', 'lab', '-o', path('folder.yaml')],
        /Cannot write .*: it is a directory/,
      ),
      expectBadInput(
        ['profile', 'export', 'lab', '-o', path('pipe.yaml')],
        /Cannot write .*: it is a named pipe \(FIFO\) that nothing reads/,
      ),
    ])
    const removed = await runCli(['board', 'remove', 'rack-1', '--yes'], { env })
    expect(removed.code, removed.stderr).toBe(0)
  })

  it.each(cases(['profile', 'import'], ['profile', 'validate'], ['deploy']))(
    '%s: an alias bomb is bad input, reported the same way',
    async (_name, args) => {
      await expectBadInput([...args, path('bomb.yaml')], /uses aliases more than 100 times/)
    },
  )

  it('says a name that matches nothing is bad input, for every command that takes one', async () => {
    await Promise.all(
      [
        ['deploy', 'nonexistent'],
        ['deploy', 'nonexistent', '--dry-run'],
        ['deploy', 'nonexistent', '--resume'],
        ['profile', 'show', 'nonexistent'],
        ['profile', 'validate', 'nonexistent'],
        ['board', 'show', 'nonexistent'],
        ['image', 'rm', 'nonexistent', '--yes'],
        ['bmc', '--board', 'nonexistent', 'info'],
      ].map((args) => expectBadInput(args, /nonexistent/)),
    )
  })
})
