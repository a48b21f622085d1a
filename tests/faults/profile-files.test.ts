// Hostile profile paths and documents through the real CLI: a device, a FIFO or a directory is
// refused at once, an alias bomb is bad input (exit 2) for import and validate alike (one YAML
// loader), and so is a name that matches nothing.
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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
})

afterAll(() => dir.remove())

async function expectBadInput(args: string[], message: RegExp): Promise<void> {
  const run = await runCli(args, { env })
  expect(run.stderr, args.join(' ')).toMatch(message)
  expect(run.stderr).not.toMatch(/bug in Clusterdeck|\n\s+at /)
  expect(run.code, args.join(' ')).toBe(2)
}

const cases = (...commands: string[][]) => commands.map((args) => [args.join(' '), args] as const)

// Every check of the file itself is in src-main/profiles/profile-file.test.ts; these run the
// commands as processes, for what only a process shows: no hang, the exit code, no stack trace.
describe('profile files', () => {
  it('profile import /dev/zero: a device is refused without reading it', async () => {
    await expectBadInput(['profile', 'import', '/dev/zero'], /\/dev\/zero is a device, not a profile file/)
  })

  it('profile import DIRECTORY: refused with a message, not a raw EISDIR', async () => {
    await expectBadInput(['profile', 'import', path('folder.yaml')], /is a directory, not a profile file/)
  })

  it.each(cases(['profile', 'validate'], ['deploy']))(
    '%s FIFO: a named pipe with no writer is refused, not waited on',
    async (_name, args) => {
      await expectBadInput([...args, path('pipe.yaml')], /is a named pipe \(FIFO\), not a profile file/)
    },
  )

  it.each(cases(['profile', 'import'], ['profile', 'validate']))(
    '%s: an alias bomb is bad input, reported the same way',
    async (_name, args) => {
      await expectBadInput([...args, path('bomb.yaml')], /uses aliases more than 100 times/)
    },
  )

  it('says a name that matches nothing is bad input', async () => {
    await Promise.all(
      [
        ['deploy', 'nonexistent'],
        ['deploy', 'nonexistent', '--dry-run'],
        ['board', 'show', 'nonexistent'],
        ['image', 'rm', 'nonexistent', '--yes'],
      ].map((args) => expectBadInput(args, /nonexistent/)),
    )
  })
})
