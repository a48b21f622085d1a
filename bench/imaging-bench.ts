// npm run bench:imaging — the node-imaging phase of a four-node profile against the sum of four
// pure flash times, on the virtual board at a fixed simulated eMMC speed (target ≤ 1.05: the engine
// leaves no idle time between flashes). Both are measured in this run, alternating.
import { join } from 'node:path'
import { createAppCore, type AppCore } from '../src-main/core/app-core.ts'
import { startVirtualBoard } from '../src-main/virtual-board/virtual-board-server.ts'
import type { RequestInput, RequestName, RequestOutput } from '../src-shared/contract/index.ts'
import type { FlashJob } from '../src-shared/flash/flash-schemas.ts'
import { finishedPhases } from '../src-shared/flash/flash-schemas.ts'
import { profileFromTemplate } from '../src-shared/profiles/profile-templates.ts'
import { MemorySecretStore } from '../tests/support/memory-secret-store.ts'
import { makeTempDir } from '../tests/support/temp-dir.ts'
import { median, rawImage } from './bench-support.ts'

const runs = Number(process.env.BENCH_RUNS ?? 2)
const mib = Number(process.env.BENCH_IMAGE_MIB ?? 64)
const writeMBps = 20

async function call<N extends RequestName>(
  core: AppCore,
  name: N,
  input: RequestInput<N>,
): Promise<RequestOutput<N>> {
  const result = await core.dispatch(name, input)
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`)
  return result.value as RequestOutput<N>
}

/** One flash through the flash pipeline alone, start to finish, in seconds. */
async function pureFlash(
  core: AppCore,
  boardId: string,
  node: 1 | 2 | 3 | 4,
  sha256: string,
): Promise<number> {
  const started = performance.now()
  const done = new Promise<FlashJob>((resolve) => {
    const stop = core.events.onAny((name, payload) => {
      const job = payload as FlashJob
      if (name === 'flash.progress' && job.node === node && finishedPhases.includes(job.phase)) {
        stop()
        resolve(job)
      }
    })
  })
  await call(core, 'flash.start', {
    boardId,
    node,
    image: { kind: 'cached', sha256 },
    verify: true,
    powerOnAfter: true,
  })
  const job = await done
  if (job.phase !== 'done') throw new Error(`flash of node ${node} ${job.phase}: ${job.message}`)
  return (performance.now() - started) / 1000
}

const board = await startVirtualBoard({
  firmware: '2.1',
  writeSpeedBytesPerSecond: writeMBps * 1e6,
  verifySpeedBytesPerSecond: 2 * writeMBps * 1e6,
  bootDelayMs: 100,
})
const dir = makeTempDir()
const core = createAppCore({
  dataDir: join(dir.path, 'data'),
  secrets: new MemorySecretStore(),
  transport: 'cli',
  bootPollMs: 100,
})
try {
  const saved = await call(core, 'boards.add', {
    name: 'bench',
    address: board.url,
    user: 'root',
    password: board.credentials.password,
    certificateSha256: board.fingerprint256,
  })
  // Named like a Talos image: the virtual nodes then print the Talos boot the boot wait looks for.
  const image = await call(core, 'images.importFile', { path: await rawImage(mib, 'talos-bench') })
  const profile = profileFromTemplate('talos-rk1-longhorn', { name: 'bench', board: 'bench' })
  profile.image = { cached: image.sha256 }
  profile.timeouts.bootSeconds = 60
  await call(core, 'profiles.save', { profile })

  const sums: number[] = []
  const phases: number[] = []
  for (let i = 0; i < runs; i++) {
    let sum = 0
    for (const node of [1, 2, 3, 4] as const) sum += await pureFlash(core, saved.id, node, image.sha256)
    sums.push(sum)

    const started = await call(core, 'lifecycle.deploy', { profile: 'bench' })
    const run = await core.lifecycle.settled(started.id)
    if (run.state !== 'done') {
      const failed = run.steps
        .filter((step) => step.state === 'failed')
        .map((step) => `${step.stepId}: ${step.message}`)
      throw new Error(`run ${run.state}:\n${failed.join('\n')}`)
    }
    const imaging = run.steps.filter((s) => s.stepId.startsWith('flash:') || s.stepId.startsWith('boot:'))
    const first = Math.min(...imaging.map((s) => Date.parse(s.startedAt!)))
    const last = Math.max(...imaging.map((s) => Date.parse(s.finishedAt!)))
    phases.push((last - first) / 1000)
    console.log(
      `run ${i + 1}: imaging phase ${phases.at(-1)!.toFixed(2)} s, four pure flashes ${sum.toFixed(2)} s`,
    )
  }
  const ratio = median(phases) / median(sums)
  console.log(
    `\nimaging phase, 4 nodes × ${mib} MiB at ${writeMBps} MB/s (verify on): ${median(phases).toFixed(2)} s, ` +
      `sum of 4 pure flashes ${median(sums).toFixed(2)} s, ratio ${ratio.toFixed(3)} (target ≤ 1.05)`,
  )
} finally {
  await core.close()
  await board.close()
  dir.remove()
}
