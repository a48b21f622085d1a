// npm run bench:cli — how long `clusterdeck board list` takes to start, answer and exit, against
// `npm --version` on the same machine in the same run (runs alternate, so machine noise hits both
// alike), with the CLI's peak memory. Targets: ≤ 1.5× the time of `npm --version`, ≤ 90 MB RSS.
// The data directory holds three saved boards; listing them asks the keychain nothing (the
// password state is kept in the board rows).
import { join } from 'node:path'
import { createAppCore } from '../src-main/core/app-core.ts'
import { MemorySecretStore } from '../tests/support/memory-secret-store.ts'
import { makeTempDir } from '../tests/support/temp-dir.ts'
import { median, timed } from './bench-support.ts'

const repo = join(import.meta.dirname, '..')
const runs = Number(process.env.BENCH_RUNS ?? 15)
const cli = join(repo, 'bin', 'clusterdeck.js')

const home = makeTempDir()
const core = createAppCore({ dataDir: home.path, secrets: new MemorySecretStore(), transport: 'cli' })
for (const n of [1, 2, 3]) {
  const added = await core.dispatch('boards.add', {
    name: `rack-${n}`,
    address: `192.0.2.${n}`,
    user: 'root',
    password: `bench-${n}`,
  })
  if (!added.ok) throw new Error(added.error.message)
}
await core.close()

const env = { CLUSTERDECK_HOME: home.path }
const npm: number[] = []
const list: number[] = []
const rss: number[] = []
try {
  // One warm-up each: the first run fills the OS file cache and Node's compile cache.
  await timed('npm', ['--version'])
  await timed(process.execPath, [cli, 'board', 'list'], env)
  for (let i = 0; i < runs; i++) {
    npm.push((await timed('npm', ['--version'])).seconds)
    const run = await timed(process.execPath, [cli, 'board', 'list'], env)
    if (!run.stdout.includes('rack-3')) throw new Error(`board list printed:\n${run.stdout}`)
    list.push(run.seconds)
    rss.push(run.maxRssMb)
  }
} finally {
  home.remove()
}

const ratio = median(list) / median(npm)
console.log(`clusterdeck board list (3 boards), ${runs} runs alternating with npm --version:`)
console.log(`  median time      ${median(list).toFixed(3)} s   (npm --version ${median(npm).toFixed(3)} s)`)
console.log(`  time ratio       ${ratio.toFixed(2)}×   (target ≤ 1.5×)`)
console.log(
  `  peak RSS         ${Math.max(...rss).toFixed(0)} MB (median ${median(rss).toFixed(0)} MB; target ≤ 90 MB)`,
)
