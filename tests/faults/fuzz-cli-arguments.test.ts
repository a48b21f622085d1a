// Fuzzing the CLI's arguments, bounded and seeded (FUZZ_SEED=<seed> replays a run): random flags
// and values on commands that read, validate or refuse (nothing here reaches a BMC or the network).
// Whatever the combination, the CLI ends with 0 or 2 (bad input or usage) and a message — never 1,
// never a stack trace. The CLI's own entry point runs in this process, so hundreds of combinations
// fit in seconds; tests/faults/profile-files.test.ts covers the same exit codes as real processes.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../src-main/cli/main.ts'
import { seededRandom, type SeededRandom } from '../support/seeded-random.ts'
import { makeTempDir } from '../support/temp-dir.ts'

let dir: ReturnType<typeof makeTempDir>

beforeAll(() => {
  dir = makeTempDir()
  execFileSync('mkfifo', [join(dir.path, 'pipe')])
})
afterAll(() => dir.remove())

const commands: Array<{ path: string[]; flags: string[] }> = [
  { path: ['profile', 'list'], flags: ['--json'] },
  { path: ['profile', 'show'], flags: ['--json'] },
  { path: ['profile', 'validate'], flags: [] },
  { path: ['profile', 'import'], flags: [] },
  { path: ['profile', 'export'], flags: ['-o', '--output'] },
  { path: ['profile', 'new'], flags: ['--template', '--name', '--board'] },
  { path: ['profile', 'remove'], flags: ['--yes', '-y'] },
  { path: ['board', 'list'], flags: ['--json'] },
  { path: ['board', 'show'], flags: ['--json'] },
  { path: ['board', 'remove'], flags: ['--yes'] },
  { path: ['image', 'list'], flags: ['--json'] },
  { path: ['image', 'rm'], flags: ['--yes'] },
  { path: ['image', 'pin'], flags: [] },
  { path: ['image', 'limit'], flags: [] },
  { path: ['deploy'], flags: ['--dry-run', '--resume', '--through'] },
  { path: ['bmc', '--board'], flags: ['--node', '--json'] },
  ...(['kubeconfig', 'talosconfig'] as const).map((kind) => ({
    path: ['cluster', kind],
    flags: ['-o', '--output', '--force', '--merge', '--replace', '--rename'],
  })),
]

const anywhere = ['--help', '--version', '--unknown', '-x', '--', '--password', '--password=pw', '--json=1']

function values(): string[] {
  return [
    '',
    ' ',
    '-',
    'nonexistent',
    'lab',
    'talos-rk1-longhorn',
    'k3s-rk1-armbian',
    'node-imaging',
    'ready',
    '0',
    '-1',
    '5',
    '1e999',
    'NaN',
    'none',
    '40GiB',
    '-5MB',
    '99999999999999999999TiB',
    '0x10',
    'ff'.repeat(32),
    '../../etc/passwd',
    '/dev/zero',
    '/',
    dir.path,
    join(dir.path, 'pipe'),
    join(dir.path, 'missing.yaml'),
    '💥',
    'ünïcödé',
    'a'.repeat(3000),
    '%s%n',
    '$(reboot)',
    '"quoted"',
  ]
}

function randomArgs(random: SeededRandom): string[] {
  const command = random.pick(commands)
  const pool = values()
  const args = [...command.path]
  for (let i = random.int(5); i > 0; i--) {
    const choice = random.int(10)
    if (choice < 4) args.push(random.pick(pool))
    else if (choice < 8 && command.flags.length > 0) {
      args.push(random.pick(command.flags))
      if (random.chance(0.7)) args.push(random.pick(pool))
    } else args.push(random.pick(anywhere))
  }
  return args
}

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
  const code = await main(args, {
    stdin: Readable.from([]),
    stdout,
    stderr,
    env: { ...process.env, CLUSTERDECK_HOME: join(dir.path, 'home') },
  })
  return { code, stdout: out, stderr: err }
}

describe('fuzzed CLI arguments', () => {
  it('ends every combination with 0 or 2 and a message, never 1 or a stack trace', async () => {
    const random = seededRandom(0xc11a5)
    for (let n = 0; n < 200; n++) {
      const args = randomArgs(random)
      const result = await run(args)
      const context = `seed ${random.seed}, case ${n}: clusterdeck ${args.map((a) => JSON.stringify(a)).join(' ')}\n${result.stderr}`
      expect([0, 2], context).toContain(result.code)
      expect(result.stderr, context).not.toMatch(/\n\s+at |bug in Clusterdeck|failed unexpectedly/)
      if (result.code === 2) expect(result.stderr, context).toMatch(/\S/)
    }
  })
})
