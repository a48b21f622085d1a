// npm run bench:flash — the flash path measured against a reference in the same run:
//  1. the CLI flashing a 2 GiB raw image to the virtual board (unlimited write speed) against
//     curl -F uploading the same file to the same endpoint: time ratio (target ≤ 1.15);
//  2. the CLI's peak memory for 2 GiB and 512 MiB images (target ≤ 250 MB, flat with size);
//  3. importing a 2 GiB-raw .xz into the cache against `xz -dc` to a file (target ≥ 0.9 of its
//     throughput).
// Runs alternate between the tool and its reference so machine noise hits both alike.
import { spawn, execFileSync } from 'node:child_process'
import { existsSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { benchDir, mbps, median, rawImage, timed } from './bench-support.ts'

const repo = join(import.meta.dirname, '..')
const runs = Number(process.env.BENCH_RUNS ?? 3)
const cli = join(repo, 'bin', 'clusterdeck.js')

async function startBoard(): Promise<{ url: string; fingerprint: string; stop(): void }> {
  const child = spawn(process.execPath, [cli, 'virtual-board', '--write-speed', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let text = ''
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString()
      if (text.includes('Stop it with')) resolve()
    })
    child.on('exit', (code) => reject(new Error(`virtual board exited ${code}`)))
  })
  return {
    url: /URL:\s+(\S+)/.exec(text)![1]!,
    fingerprint: /fingerprint (\S+)/.exec(text)![1]!,
    stop: () => child.kill('SIGTERM'),
  }
}

const insecure = new Agent({ connect: { rejectUnauthorized: false } })

/** The reference: what a script does with curl — log in, ask for a handle, upload with -F. */
async function curlFlash(url: string, image: string): Promise<number> {
  const login = await request(`${url}/api/bmc/authenticate`, {
    method: 'POST',
    body: JSON.stringify({ username: 'root', password: 'turing' }),
    dispatcher: insecure,
  })
  const token = ((await login.body.json()) as { id: string }).id
  const length = statSync(image).size
  const start = await request(
    `${url}/api/bmc?opt=set&type=flash&node=0&file=image.img&length=${length}&skip_crc`,
    { headers: { authorization: `Bearer ${token}` }, dispatcher: insecure },
  )
  const handle = ((await start.body.json()) as { handle: number }).handle
  const result = await timed('curl', [
    '-sS',
    '-k',
    '--fail',
    '-H',
    `Authorization: Bearer ${token}`,
    '-F',
    `file=@${image};type=application/octet-stream`,
    `${url}/api/bmc/upload/${handle}`,
  ])
  return result.seconds
}

async function cliFlash(
  url: string,
  fingerprint: string,
  image: string,
): Promise<{ seconds: number; rss: number }> {
  const result = await timed(
    process.execPath,
    [
      cli,
      'bmc',
      '--bmc',
      url,
      '--fingerprint',
      fingerprint,
      'flash',
      '--node',
      '1',
      image,
      '--no-verify',
      '--no-power-on',
      '--json',
      '--yes',
    ],
    { CLUSTERDECK_BMC_PASSWORD: 'turing', CLUSTERDECK_HOME: join(benchDir, 'home') },
  )
  const outcome = (JSON.parse(result.stdout) as { outcome: string }).outcome
  if (outcome !== 'done') throw new Error(`CLI flash ended ${outcome}`)
  return { seconds: result.seconds, rss: result.maxRssMb }
}

async function flashBench(): Promise<string[]> {
  const board = await startBoard()
  const lines: string[] = []
  try {
    for (const mib of [2048, 512]) {
      const image = await rawImage(mib)
      const bytes = mib * 1024 * 1024
      const curlTimes: number[] = []
      const cliTimes: number[] = []
      const rss: number[] = []
      for (let i = 0; i < runs; i++) {
        curlTimes.push(await curlFlash(board.url, image))
        const run = await cliFlash(board.url, board.fingerprint, image)
        cliTimes.push(run.seconds)
        rss.push(run.rss)
      }
      const ratio = median(cliTimes) / median(curlTimes)
      lines.push(
        `flash ${mib} MiB raw: clusterdeck ${median(cliTimes).toFixed(2)} s (${mbps(bytes, median(cliTimes))}), ` +
          `curl -F ${median(curlTimes).toFixed(2)} s (${mbps(bytes, median(curlTimes))}), ratio ${ratio.toFixed(3)} ` +
          `(target ≤ 1.15), clusterdeck peak RSS ${Math.max(...rss).toFixed(0)} MB (target ≤ 250 MB)`,
      )
      console.log(lines.at(-1))
    }
  } finally {
    board.stop()
  }
  return lines
}

async function importBench(): Promise<string[]> {
  const raw = await rawImage(2048)
  const packed = join(benchDir, 'raw-2048MiB.img.xz')
  if (!existsSync(packed)) {
    console.log('compressing the 2 GiB image with xz -T0 -1 once (kept in .cache/bench)…')
    execFileSync('xz', ['-k', '-T0', '-1', '-f', raw])
  }
  const bytes = statSync(raw).size
  const out = join(benchDir, 'xz-dc-output.img')
  const home = join(benchDir, 'import-home')
  const xzTimes: number[] = []
  const cliTimes: number[] = []
  for (let i = 0; i < runs; i++) {
    rmSync(out, { force: true })
    xzTimes.push((await timed('sh', ['-c', `xz -dc "${packed}" > "${out}"`])).seconds)
    rmSync(home, { recursive: true, force: true })
    cliTimes.push(
      (await timed(process.execPath, [cli, 'image', 'import', packed], { CLUSTERDECK_HOME: home })).seconds,
    )
  }
  rmSync(out, { force: true })
  rmSync(home, { recursive: true, force: true })
  const ratio = median(xzTimes) / median(cliTimes)
  const line =
    `import 2 GiB-raw .xz: clusterdeck ${mbps(bytes, median(cliTimes))}, xz -dc ${mbps(bytes, median(xzTimes))}, ` +
    `throughput ratio ${ratio.toFixed(3)} (target ≥ 0.9)`
  console.log(line)
  return [line]
}

const which = process.argv[2] ?? 'all'
const results = [
  ...(which === 'all' || which === 'flash' ? await flashBench() : []),
  ...(which === 'all' || which === 'import' ? await importBench() : []),
]
console.log(`\n${results.join('\n')}`)
