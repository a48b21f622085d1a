// `clusterdeck deploy` as a process against the virtual board: the dry run, a run killed halfway
// (SIGKILL, as a crash or a closed laptop would) and resumed without re-flashing the nodes done.
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { createAppCore } from '../../src-main/core/app-core.ts'
import { startVirtualBoard, type VirtualBoard } from '../../src-main/virtual-board/virtual-board-server.ts'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import { imageBytes, sha256, writeImage } from '../support/make-image.ts'
import { MemorySecretStore } from '../support/memory-secret-store.ts'
import { runCli } from '../support/run-cli.ts'
import { makeTempDir } from '../support/temp-dir.ts'

const bin = fileURLToPath(new URL('../../bin/clusterdeck.js', import.meta.url))
let board: VirtualBoard
let dir: ReturnType<typeof makeTempDir>
let env: NodeJS.ProcessEnv
let profileFile: string

beforeAll(async () => {
  // Slow enough that a run lasts seconds: ~1 s to write and verify each node.
  board = await startVirtualBoard({
    firmware: '2.1',
    writeSpeedBytesPerSecond: 6e6,
    verifySpeedBytesPerSecond: 12e6,
    bootDelayMs: 100,
  })
  dir = makeTempDir()
  env = { CLUSTERDECK_HOME: join(dir.path, 'home'), CLUSTERDECK_BMC_PASSWORD: '' }
  expect(
    (
      await runCli(['board', 'add', 'rack-1', '--address', board.url, '--password-stdin'], {
        env,
        stdin: board.credentials.password,
      })
    ).code,
  ).toBe(0)
  expect((await runCli(['bmc', '--board', 'rack-1', '--trust-on-first-use', 'info'], { env })).code).toBe(0)
  const raw = imageBytes(4 * 1024 * 1024, 21)
  const imported = await runCli(
    ['image', 'import', writeImage(join(dir.path, 'talos-lab.raw'), raw), '--json'],
    { env },
  )
  expect(JSON.parse(imported.stdout).sha256).toBe(sha256(raw))
  const profile = profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })
  profile.image = { cached: sha256(raw) }
  profile.timeouts.bootSeconds = 30
  profileFile = join(dir.path, 'lab.yaml')
  writeFileSync(profileFile, stringify(profile))
})

afterAll(async () => {
  await board.close()
  dir.remove()
})

describe('clusterdeck deploy', () => {
  it('shows the plan in a dry run and changes nothing', async () => {
    const run = await runCli(['deploy', profileFile, '--dry-run'], { env })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^Plan for "lab" \(talos\), 25 steps:/)
    expect(run.stdout).toMatch(
      /\nNode imaging\n {2}flash:turing-cp1 +Flash turing-cp1 \(rack-1 slot 1\) +← image:cached-/,
    )
    // A Talos deploy runs to its last phase.
    expect(run.stdout).toMatch(/\nReady\n {2}cluster:ready +Cluster ready {2}← addon:/)
    expect(run.stdout).not.toContain('not available in this version')
    expect(board.state.snapshot().nodes.every((node) => node.flashed === undefined)).toBe(true)
  })

  it('resumes a run killed halfway without flashing the nodes already done', async () => {
    const child = spawn(process.execPath, [bin, 'deploy', 'lab', '--through', 'node-imaging'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
        if (/✓ Flash turing-w1/.test(stdout)) {
          child.kill('SIGKILL')
          resolve()
        }
      })
      child.on('exit', () => reject(new Error(`deploy ended before it could be killed:\n${stdout}`)))
    })
    expect(stdout).toMatch(/✓ Flash turing-cp1/)

    const resumed = await runCli(['deploy', 'lab', '--resume'], { env })
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
    expect(resumed.stdout).toMatch(/✓ Flash turing-w2 \(rack-1 slot 3\) — Flashed /)
    expect(resumed.stdout).toMatch(/✓ Flash turing-w3 \(rack-1 slot 4\) — Flashed /)
    expect(resumed.stdout).toMatch(/Run done: Finished Node imaging\./)

    // The history proves it: one finished flash per node, none repeated.
    const core = createAppCore({
      dataDir: env.CLUSTERDECK_HOME!,
      secrets: new MemorySecretStore(),
      transport: 'cli',
    })
    try {
      const boards = await core.dispatch('boards.list', {})
      const boardId = (boards as { ok: true; value: Array<{ id: string }> }).value[0]!.id
      const history = await core.dispatch('flash.history', { boardId })
      const done = (history as { ok: true; value: Array<{ node: number; outcome: string }> }).value.filter(
        (r) => r.outcome === 'done',
      )
      expect(done.map((r) => r.node).sort()).toEqual([1, 2, 3, 4])
    } finally {
      await core.close()
    }
  })

  it('resumes the latest run, never an older unfinished one by itself, and a run named by its id', async () => {
    // An older run, killed as soon as it started, stays interrupted…
    const child = spawn(process.execPath, [bin, 'deploy', 'lab', '--through', 'node-imaging'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const olderId = await new Promise<string>((resolve, reject) => {
      let stdout = ''
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
        const started = /^Run (\S+) of "lab"/m.exec(stdout)
        if (started) {
          child.kill('SIGKILL')
          resolve(started[1]!)
        }
      })
      child.on('exit', () => reject(new Error(`deploy ended before it could be killed:\n${stdout}`)))
    })
    // …while a newer one finishes.
    const newer = await runCli(['deploy', 'lab', '--through', 'node-imaging'], { env })
    expect(newer.code, newer.stdout + newer.stderr).toBe(0)
    const newerId = /^Run (\S+) of "lab"/m.exec(newer.stdout)![1]!

    const latest = await runCli(['deploy', 'lab', '--resume'], { env })
    expect(latest.code).toBe(2)
    expect(latest.stderr).toContain(
      `The latest deploy run of "lab" (${newerId}) finished; there is nothing to resume.`,
    )
    expect(latest.stderr).toMatch(/--resume RUN_ID/)

    const named = await runCli(['deploy', 'lab', '--resume', olderId], { env })
    expect(named.code, named.stdout + named.stderr).toBe(0)
    expect(named.stdout).toContain(`Run ${olderId} of "lab"`)

    const unknown = await runCli(['deploy', 'lab', '--resume', 'no-such-run'], { env })
    // A run id that matches nothing is bad input, like any name that matches nothing.
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/"lab" has no run no-such-run/)
  })

  it('takes a typed confirmation only with --resume', async () => {
    const run = await runCli(['deploy', 'lab', '--confirm', 'erase /dev/nvme0n1 on turing-w1'], { env })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/--confirm goes with --resume: it answers a step of a run that asked for it\./)
    // Refused before anything starts.
    expect(run.stdout).not.toMatch(/^Run /m)
  })

  it('reports a Ctrl-C as a stopped run to continue, not as a cause to fix', async () => {
    const child = spawn(process.execPath, [bin, 'deploy', 'lab', '--through', 'node-imaging'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
        if (/Flash turing-cp1/.test(stdout)) resolve()
      })
    })
    child.kill('SIGINT')
    expect(await exited).toBe(1)
    expect(stderr).toMatch(/The run was stopped\./)
    expect(stderr).toMatch(/Continue it when you want with: clusterdeck deploy lab --resume/)
    expect(stderr).not.toMatch(/Fix the cause/)
  })
})
