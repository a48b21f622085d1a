// The imaging phases of a four-node profile, run by the lifecycle engine through the contract
// against the virtual board over HTTPS: plan, run, failure and retry, cancel.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAppCore, type AppCore } from '../../src-main/core/app-core.ts'
import { RunRepository } from '../../src-main/lifecycle/run-repository.ts'
import { openDatabase } from '../../src-main/store/database.ts'
import { startVirtualBoard, type VirtualBoard } from '../../src-main/virtual-board/virtual-board-server.ts'
import type { RequestInput, RequestName, RequestOutput } from '../../src-shared/contract/index.ts'
import type { Run } from '../../src-shared/lifecycle/run-schema.ts'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import { imageBytes, sha256, writeImage } from '../support/make-image.ts'
import { MemorySecretStore } from '../support/memory-secret-store.ts'
import { makeTempDir } from '../support/temp-dir.ts'
import { saveBoard } from '../support/virtual-bmc.ts'

let board: VirtualBoard
let dir: ReturnType<typeof makeTempDir>
let core: AppCore
let imageSha: string

async function call<N extends RequestName>(name: N, input: RequestInput<N>): Promise<RequestOutput<N>> {
  const result = await core.dispatch(name, input)
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`)
  return result.value as RequestOutput<N>
}

const stateOf = (run: Run) => Object.fromEntries(run.steps.map((step) => [step.stepId, step.state]))

beforeAll(async () => {
  board = await startVirtualBoard({ firmware: '2.1', writeSpeedBytesPerSecond: 40e6, bootDelayMs: 150 })
  dir = makeTempDir()
  core = createAppCore({
    dataDir: join(dir.path, 'data'),
    secrets: new MemorySecretStore(),
    transport: 'cli',
    flashPollIntervalMs: 50,
    bootPollMs: 100,
  })
  await saveBoard(core, board, 'rack-1')
  // The virtual board boots a Talos log for images whose name says Talos.
  const raw = imageBytes(3 * 1024 * 1024, 9)
  imageSha = sha256(raw)
  await call('images.importFile', { path: writeImage(join(dir.path, 'talos-test-arm64.raw'), raw) })
  const profile = profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })
  profile.image = { cached: imageSha }
  profile.timeouts.bootSeconds = 20
  await call('profiles.save', { profile })
  // A K3s profile on the same board, planned only here.
  const k3s = profileFromTemplate('k3s-rk1-armbian', { name: 'lab-k3s', board: 'rack-1' })
  k3s.image = { cached: imageSha }
  await call('profiles.save', { profile: k3s })
})

afterAll(async () => {
  await core.close()
  await board.close()
  dir.remove()
})

describe('lifecycle engine: imaging phases on the virtual board', () => {
  it('plans the whole lifecycle and says which phases this version runs', async () => {
    const { plan, runnablePhases } = await call('lifecycle.plan', { profile: 'lab' })
    expect(runnablePhases).toEqual([
      'image-preparation',
      'node-imaging',
      'cluster-bootstrap',
      'addon-deployment',
      'ready',
    ])
    expect(plan.steps.at(-1)).toMatchObject({ kind: 'cluster.ready', phase: 'ready' })
    // K3s too: its bootstrap runs over SSH (src-main/k3s); a core without the SSH service fails
    // those steps, saying so (src-main/k3s/k3s-steps.test.ts).
    const k3s = await call('lifecycle.plan', { profile: 'lab-k3s' })
    expect(k3s.runnablePhases).toEqual(runnablePhases)
  })

  it('flashes the four nodes one after another and waits for each to boot', async () => {
    const started = await call('lifecycle.deploy', { profile: 'lab', throughPhase: 'node-imaging' })
    const run = await core.lifecycle.settled(started.id)
    expect(run.state).toBe('done')
    expect(stateOf(run)).toMatchObject({
      [`image:cached-${imageSha.slice(0, 12)}`]: 'skipped',
      'flash:turing-cp1': 'done',
      'flash:turing-w3': 'done',
      'boot:turing-cp1': 'done',
      'boot:turing-w3': 'done',
      'talos:secrets': 'not-run',
      'cluster:ready': 'not-run',
    })
    expect(run.steps.find((s) => s.stepId === 'boot:turing-w2')!.message).toMatch(
      /booted: its Talos API answers on 127\.0\.0\.\d+:50000/,
    )
    for (const node of board.state.snapshot().nodes) {
      expect(node.flashed).toMatchObject({ sha256: imageSha, verified: true, outcome: 'done' })
      expect(node.power).toBe(true)
    }
    // One transfer slot: no two flashes overlapped.
    const flashes = run.steps
      .filter((s) => s.stepId.startsWith('flash:'))
      .sort((a, b) => a.startedAt!.localeCompare(b.startedAt!))
    for (let i = 1; i < flashes.length; i++)
      expect(flashes[i]!.startedAt! >= flashes[i - 1]!.finishedAt!).toBe(true)

    const log = await call('lifecycle.stepLog', { runId: run.id, stepId: 'flash:turing-w1' })
    expect(log.log).toMatch(/Powering off node 2 of rack-1/)
    expect(log.log).toMatch(/flash: done/)
    const report = await call('lifecycle.report', { runId: run.id, format: 'markdown' })
    expect(report.content).toMatch(/\| Flash turing-w1 \(rack-1 slot 2\) \| done \|/)
  })

  it('fails one flash, blocks its boot wait, finishes the rest, and succeeds on retry', async () => {
    board.injectFault({
      kind: 'write-error',
      message: "Compute module's USB interface not found or supported",
      afterBytes: 512 * 1024,
    })
    const started = await call('lifecycle.deploy', { profile: 'lab', throughPhase: 'node-imaging' })
    const failed = await core.lifecycle.settled(started.id)
    expect(failed.state).toBe('failed')
    expect(stateOf(failed)).toMatchObject({
      'flash:turing-cp1': 'failed',
      'boot:turing-cp1': 'blocked',
      'flash:turing-w1': 'done',
      'boot:turing-w3': 'done',
    })
    expect(failed.steps.find((s) => s.stepId === 'flash:turing-cp1')!.message).toMatch(
      /USB interface not found/,
    )
    expect(failed.steps.find((s) => s.stepId === 'boot:turing-cp1')!.message).toMatch(
      /waits for "Flash turing-cp1.*which failed/,
    )

    await call('lifecycle.retryStep', { runId: started.id, stepId: 'flash:turing-cp1' })
    const retried = await core.lifecycle.settled(started.id)
    expect(retried.state).toBe('done')
    expect(retried.steps.find((s) => s.stepId === 'flash:turing-cp1')).toMatchObject({
      state: 'done',
      attempts: 2,
    })
    expect(stateOf(retried)['boot:turing-cp1']).toBe('done')
  })

  it('cancels a run: the running flash stops, what waits is cancelled', async () => {
    const started = await call('lifecycle.deploy', { profile: 'lab', throughPhase: 'node-imaging' })
    for (let i = 0; i < 200; i++) {
      if (
        core.lifecycle
          .snapshot(started.id)
          .steps.some((s) => s.stepId.startsWith('flash:') && s.state === 'running')
      )
        break
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    await call('lifecycle.cancel', { runId: started.id })
    const run = await core.lifecycle.settled(started.id)
    expect(run.state).toBe('cancelled')
    const states = Object.values(stateOf(run))
    expect(states).not.toContain('running')
    expect(states).not.toContain('pending')
    expect(states.filter((s) => s === 'cancelled').length).toBeGreaterThan(3)
  })

  it('skips, on resume, flashes whose effect is in place though the run lost track of them', async () => {
    const started = await call('lifecycle.deploy', { profile: 'lab', throughPhase: 'node-imaging' })
    const done = await core.lifecycle.settled(started.id)
    expect(done.state).toBe('done')
    // What a crash right after the flashes (before the run recorded them) leaves behind.
    const runs = new RunRepository(openDatabase(join(dir.path, 'data')))
    for (const step of done.steps.filter(
      (s) => s.stepId.startsWith('flash:') || s.stepId.startsWith('boot:'),
    )) {
      runs.updateStep(started.id, step.stepId, {
        state: step.stepId.startsWith('flash:turing-w3') ? 'running' : 'pending',
      })
    }
    runs.setRunState(started.id, 'interrupted', null, null)
    const before = board.state.snapshot().nodes.map((node) => node.flashed)

    await call('lifecycle.resume', { runId: started.id })
    const resumed = await core.lifecycle.settled(started.id)
    expect(resumed.state).toBe('done')
    for (const node of ['turing-cp1', 'turing-w1', 'turing-w2', 'turing-w3']) {
      const flash = resumed.steps.find((s) => s.stepId === `flash:${node}`)!
      expect(flash.state).toBe('skipped')
      expect(flash.message).toMatch(/^already in place: talos-test-arm64.raw was flashed and verified at /)
    }
    // Nothing was written again: the board's record of each node's last flash is the same object state.
    expect(board.state.snapshot().nodes.map((node) => node.flashed)).toEqual(before)
  })

  it('lists the runs newest first, with their step counts', async () => {
    const runs = await call('lifecycle.runs', { profile: 'lab' })
    expect(runs.map((r) => r.state)).toEqual(['done', 'cancelled', 'done', 'done'])
    expect(runs[3]!.stepCounts).toMatchObject({ done: 8, skipped: 1, 'not-run': 16 })
    expect(runs[0]!.stepCounts).toMatchObject({ done: 4, skipped: 5 })
  })
})
