// The engine's scheduling with fake executors over a real SQLite file: what runs when, what waits,
// what a cancel, a retry or a resume does. The executors are held or released by the tests, so
// every interleaving below is forced, not hoped for.
import { spawnSync } from 'node:child_process'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { compilePlan } from '../../src-shared/lifecycle/compile-plan.ts'
import { requests } from '../../src-shared/contract/index.ts'
import { stepKinds, type Plan, type StepKind } from '../../src-shared/lifecycle/plan.ts'
import type { Run, StepState } from '../../src-shared/lifecycle/run-schema.ts'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import { makeTempDir } from '../../tests/support/temp-dir.ts'
import { EventBus } from '../core/event-bus.ts'
import { openDatabase, type Db } from '../store/database.ts'
import { LifecycleEngine } from './lifecycle-engine.ts'
import { RunRepository } from './run-repository.ts'
import type { StepExecutor, StepExecutors } from './step-executor.ts'

const profile = profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })
const saved = {
  id: 'profile-1',
  name: 'lab',
  distribution: 'talos' as const,
  profile,
  createdAt: '2026-12-01T00:00:00Z',
  updatedAt: '2026-12-01T00:00:00Z',
}
const nodes = ['turing-cp1', 'turing-w1', 'turing-w2', 'turing-w3']

/** Executors that finish at once unless a test holds a step or makes it fail. */
class FakeSteps {
  readonly hold = new Set<string>()
  /** Step id → how many of its next attempts fail. */
  readonly failures = new Map<string, number>()
  /** Steps whose effect is already in place: a resumed run skips them. */
  readonly inPlace = new Set<string>()
  readonly starts: string[] = []
  readonly intervals: Array<{ stepId: string; from: number; to: number }> = []
  private readonly running = new Map<string, () => void>()
  private clock = 0

  executors(kinds: readonly StepKind[] = stepKinds): StepExecutors {
    const executor: StepExecutor = {
      alreadyDone: async ({ step }) => (this.inPlace.has(step.id) ? { message: 'seen in place' } : null),
      run: ({ step, signal }) => {
        this.starts.push(step.id)
        const from = ++this.clock
        return new Promise((resolve, reject) => {
          const end = () => {
            this.running.delete(step.id)
            this.intervals.push({ stepId: step.id, from, to: ++this.clock })
            const failures = this.failures.get(step.id) ?? 0
            if (failures > 0) {
              this.failures.set(step.id, failures - 1)
              reject(new AppError('bmc_error', `${step.id} broke`))
            } else resolve({ message: `${step.id} ok` })
          }
          signal.addEventListener('abort', () => {
            this.running.delete(step.id)
            reject(new AppError('cancelled', 'stopped'))
          })
          this.running.set(step.id, end)
          if (!this.hold.has(step.id)) queueMicrotask(end)
        })
      },
    }
    return Object.fromEntries(kinds.map((kind) => [kind, executor]))
  }

  isRunning(stepId: string): boolean {
    return this.running.has(stepId)
  }

  release(stepId: string): void {
    this.hold.delete(stepId)
    const end = this.running.get(stepId)
    if (!end) throw new Error(`${stepId} is not running`)
    end()
  }

  runsOf(stepId: string): number {
    return this.starts.filter((id) => id === stepId).length
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
  throw new Error(`timed out waiting until ${what}`)
}

const stateOf = (run: Run, stepId: string): StepState => run.steps.find((s) => s.stepId === stepId)!.state

let dir: ReturnType<typeof makeTempDir>
let db: Db
let runs: RunRepository
let fake: FakeSteps
let engine: LifecycleEngine

function makeEngine(kinds?: readonly StepKind[]): LifecycleEngine {
  return new LifecycleEngine({
    runs,
    profiles: { get: () => saved },
    boardNames: async () => ['rack-1'],
    executors: fake.executors(kinds),
    events: new EventBus(),
  })
}

beforeEach(() => {
  dir = makeTempDir()
  db = openDatabase(dir.path)
  db.prepare(
    'INSERT INTO profiles (id, name, distribution, document, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(saved.id, saved.name, 'talos', JSON.stringify(profile), saved.createdAt, saved.updatedAt)
  runs = new RunRepository(db)
  fake = new FakeSteps()
  engine = makeEngine()
})

afterEach(async () => {
  await engine.stopAll()
  db.close()
  dir.remove()
})

describe('lifecycle engine scheduling', () => {
  it('runs independent steps at once, one flash per board, each boot after its flash', async () => {
    for (const node of nodes) fake.hold.add(`boot:${node}`)
    const { id } = await engine.deploy('lab', 'node-imaging')
    await until(() => nodes.every((node) => fake.isRunning(`boot:${node}`)), 'every boot wait runs')

    // Four boot waits at the same time, while the flashes went one after another.
    const flashes = fake.intervals.filter((i) => i.stepId.startsWith('flash:'))
    expect(flashes.map((f) => f.stepId)).toEqual(nodes.map((node) => `flash:${node}`))
    for (let i = 1; i < flashes.length; i++) expect(flashes[i]!.from).toBeGreaterThan(flashes[i - 1]!.to)
    for (const node of nodes) {
      const flash = fake.intervals.find((i) => i.stepId === `flash:${node}`)!
      const boot = fake.starts.indexOf(`boot:${node}`)
      expect(fake.intervals.findIndex((i) => i === flash)).toBeLessThan(boot + nodes.length)
      expect(boot).toBeGreaterThan(fake.starts.indexOf(`flash:${node}`))
    }
    // The first boot wait started before the last flash had finished: steps overlap when independent.
    expect(fake.starts.indexOf('boot:turing-cp1')).toBeLessThan(fake.starts.indexOf('flash:turing-w3'))

    for (const node of nodes) fake.release(`boot:${node}`)
    const run = await engine.settled(id)
    expect(run.state).toBe('done')
    expect(stateOf(run, 'talos:secrets')).toBe('not-run')
  })

  it('blocks what waits for a failed step and still finishes the rest', async () => {
    fake.failures.set('flash:turing-w1', 1)
    const { id } = await engine.deploy('lab', 'node-imaging')
    const run = await engine.settled(id)
    expect(run.state).toBe('failed')
    expect(stateOf(run, 'flash:turing-w1')).toBe('failed')
    expect(stateOf(run, 'boot:turing-w1')).toBe('blocked')
    expect(stateOf(run, 'boot:turing-w3')).toBe('done')
    expect(run.message).toBe('Failed: Flash turing-w1 (rack-1 slot 2).')
    expect(fake.runsOf('boot:turing-w1')).toBe(0)
  })

  it('cancels: the running step stops, what has not started is cancelled', async () => {
    fake.hold.add('flash:turing-w1')
    const { id } = await engine.deploy('lab', 'node-imaging')
    await until(() => fake.isRunning('flash:turing-w1'), 'the second flash runs')
    engine.cancel(id)
    const run = await engine.settled(id)
    expect(run.state).toBe('cancelled')
    expect(stateOf(run, 'flash:turing-cp1')).toBe('done')
    expect(stateOf(run, 'flash:turing-w1')).toBe('cancelled')
    expect(stateOf(run, 'flash:turing-w3')).toBe('cancelled')
    expect(fake.runsOf('flash:turing-w3')).toBe(0)
  })

  it('runs a step retried while the rest of the run still runs, keeping its first attempt', async () => {
    fake.failures.set('flash:turing-cp1', 1)
    fake.hold.add('boot:turing-w3')
    const { id } = await engine.deploy('lab', 'node-imaging')
    await until(() => fake.isRunning('boot:turing-w3'), 'the last boot wait runs')
    expect(stateOf(engine.snapshot(id), 'flash:turing-cp1')).toBe('failed')
    expect(stateOf(engine.snapshot(id), 'boot:turing-cp1')).toBe('blocked')

    const retried = engine.retryStep(id, 'flash:turing-cp1')
    expect(retried.state).toBe('running')
    await until(() => stateOf(engine.snapshot(id), 'boot:turing-cp1') === 'done', 'the retried node booted')
    expect(engine.snapshot(id).state).toBe('running')

    fake.release('boot:turing-w3')
    const run = await engine.settled(id)
    expect(run.state).toBe('done')
    expect(fake.runsOf('flash:turing-cp1')).toBe(2)
    const flash = run.steps.find((s) => s.stepId === 'flash:turing-cp1')!
    expect(flash).toMatchObject({ state: 'done', attempts: 2, message: 'flash:turing-cp1 ok' })
    expect(flash.earlierAttempts).toEqual([
      {
        attempt: 1,
        state: 'failed',
        startedAt: expect.any(String),
        finishedAt: expect.any(String),
        message: 'flash:turing-cp1 broke',
      },
    ])
    expect(flash.startedAt! >= flash.earlierAttempts[0]!.finishedAt).toBe(true)
  })

  it('retries after the run ended by starting it again', async () => {
    fake.failures.set('boot:turing-w2', 1)
    const { id } = await engine.deploy('lab', 'node-imaging')
    expect((await engine.settled(id)).state).toBe('failed')
    engine.retryStep(id, 'boot:turing-w2')
    const run = await engine.settled(id)
    expect(run.state).toBe('done')
    expect(fake.runsOf('flash:turing-w2')).toBe(1)
    expect(() => engine.retryStep(id, 'boot:turing-w2')).toThrow(/Only a failed step can be retried/)
  })

  it('gives a typed confirmation to the retried step’s next attempt only, and shows the phrase it waits for', async () => {
    const phrase = 'erase /dev/nvme0n1 on turing-w1'
    const seen: string[][] = []
    const destructive: StepExecutor<'node.flash'> = {
      run: async ({ step, confirmations }) => {
        if (step.id !== 'flash:turing-w1') return { message: 'ok' }
        seen.push([...confirmations])
        if (!confirmations.includes(phrase))
          throw new AppError('confirmation_required', 'The drive holds data.', 'Type the phrase.', { phrase })
        return { message: 'erased' }
      },
    }
    engine = new LifecycleEngine({
      runs,
      profiles: { get: () => saved },
      boardNames: async () => ['rack-1'],
      executors: { ...fake.executors(), 'node.flash': destructive },
      events: new EventBus(),
    })
    const { id } = await engine.deploy('lab', 'node-imaging')
    const failed = await engine.settled(id)
    const step = (run: Run) => run.steps.find((s) => s.stepId === 'flash:turing-w1')!
    expect(step(failed)).toMatchObject({ state: 'failed', confirmPhrase: phrase })
    expect(step(failed).message).toBe('The drive holds data. Type the phrase.')

    engine.retryStep(id, 'flash:turing-w1', 'erase /dev/nvme0n1 on turing-w2')
    expect(step(await engine.settled(id))).toMatchObject({ state: 'failed', confirmPhrase: phrase })
    engine.retryStep(id, 'flash:turing-w1')
    await engine.settled(id)
    engine.resume(id, phrase)
    const done = await engine.settled(id)
    expect(done.state).toBe('done')
    expect(step(done).confirmPhrase).toBeUndefined()
    // Each phrase reached one attempt; the retry without one got none.
    expect(seen).toEqual([[], ['erase /dev/nvme0n1 on turing-w2'], [], [phrase]])
  })

  it('retries a failed first step: everything it blocked runs', async () => {
    const imageStep = compilePlan(profile).steps[0]!.id
    fake.failures.set(imageStep, 1)
    const { id } = await engine.deploy('lab', 'node-imaging')
    const failed = await engine.settled(id)
    expect(nodes.map((node) => stateOf(failed, `flash:${node}`))).toEqual(nodes.map(() => 'blocked'))
    engine.retryStep(id, imageStep)
    const run = await engine.settled(id)
    expect(run.state).toBe('done')
    expect(run.steps.every((step) => ['done', 'not-run'].includes(step.state))).toBe(true)
    expect(run.steps.find((s) => s.stepId === imageStep)!.earlierAttempts).toHaveLength(1)
  })

  it('resumes a failed run: done steps stay done, steps found in place are skipped', async () => {
    fake.failures.set('flash:turing-w1', 1)
    const { id } = await engine.deploy('lab', 'node-imaging')
    expect((await engine.settled(id)).state).toBe('failed')
    fake.inPlace.add('flash:turing-w1')
    engine.resume(id)
    const run = await engine.settled(id)
    expect(run.state).toBe('done')
    expect(stateOf(run, 'flash:turing-w1')).toBe('skipped')
    expect(stateOf(run, 'flash:turing-cp1')).toBe('done')
    expect(fake.runsOf('flash:turing-cp1')).toBe(1)
    expect(fake.runsOf('flash:turing-w1')).toBe(1)
    expect(fake.runsOf('boot:turing-w1')).toBe(1)
  })

  it('marks the run of a dead process interrupted and resumes it', async () => {
    const plan = compilePlan(profile)
    const startedAt = new Date(Date.now() - 60_000).toISOString()
    runs.create(
      {
        id: 'orphan',
        operation: 'deploy',
        profileId: saved.id,
        profileName: 'lab',
        distribution: 'talos',
        plan,
        throughPhase: 'node-imaging',
        state: 'running',
        createdAt: startedAt,
        finishedAt: null,
        message: null,
        steps: plan.steps.map((step) => ({
          stepId: step.id,
          state: ['image-preparation', 'node-imaging'].includes(step.phase) ? 'pending' : 'not-run',
          attempts: 0,
          startedAt: null,
          finishedAt: null,
          message: null,
          earlierAttempts: [],
        })),
      },
      profile,
    )
    const imageStep = plan.steps[0]!.id
    runs.updateStep('orphan', imageStep, { state: 'done', attempts: 1, startedAt, finishedAt: startedAt })
    runs.updateStep('orphan', 'flash:turing-cp1', { state: 'running', attempts: 1, startedAt })
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid
    db.prepare('UPDATE lifecycle_runs SET owner_pid = ? WHERE id = ?').run(deadPid, 'orphan')

    const restarted = makeEngine()
    expect(restarted.snapshot('orphan')).toMatchObject({
      state: 'interrupted',
      message: 'The process running it stopped; resume to continue.',
    })
    fake.inPlace.add('flash:turing-cp1')
    restarted.resume('orphan')
    const run = await restarted.settled('orphan')
    expect(run.state).toBe('done')
    expect(fake.runsOf(imageStep)).toBe(0)
    const flash = run.steps.find((s) => s.stepId === 'flash:turing-cp1')!
    expect(flash).toMatchObject({ state: 'skipped', attempts: 2 })
    expect(flash.earlierAttempts).toMatchObject([
      { attempt: 1, state: 'cancelled', startedAt, message: 'the process running it stopped' },
    ])
  })
})

describe('lifecycle engine operations', () => {
  const deployKinds: StepKind[] = ['image.prepare', 'node.flash', 'node.wait-boot']

  it('compiles a deploy and a destroy of one profile through the contract request', async () => {
    engine = makeEngine(deployKinds)
    const input = requests['lifecycle.plan'].input
    const deploy = engine.plan('lab', input.parse({ profile: 'lab' }).operation)
    const destroy = engine.plan('lab', input.parse({ profile: 'lab', operation: 'destroy' }).operation)
    expect(requests['lifecycle.plan'].output.parse(deploy)).toEqual(deploy)
    expect(requests['lifecycle.plan'].output.parse(destroy)).toEqual(destroy)
    expect(deploy.runnablePhases).toEqual(['image-preparation', 'node-imaging'])
    expect(destroy).toMatchObject({ plan: { operation: 'destroy' }, runnablePhases: [] })
  })

  it('answers a dry run with the refusal a start would meet, and still starts nothing', async () => {
    const refuse = (_profile: unknown, plan: Plan) => {
      if (plan.operation === 'upgrade')
        throw new AppError('invalid_input', 'skips a minor', 'go one at a time')
    }
    engine = new LifecycleEngine({
      runs,
      profiles: { get: () => saved },
      boardNames: async () => ['rack-1'],
      executors: fake.executors(),
      events: new EventBus(),
      checkStart: refuse,
    })
    const upgrade = engine.plan('lab', 'upgrade', { talosVersion: 'v9.0.0' })
    expect(requests['lifecycle.plan'].output.parse(upgrade)).toEqual(upgrade)
    expect(upgrade.refusal).toEqual({ message: 'skips a minor', hint: 'go one at a time' })
    expect(upgrade.plan.operation).toBe('upgrade')
    expect(engine.plan('lab', 'backup').refusal).toBeUndefined()
    await expect(engine.startOperation('lab', 'upgrade')).rejects.toThrow('skips a minor')
    expect(runs.list()).toEqual([])
  })

  it('runs an operation this version only plans: every first step fails with not_implemented', async () => {
    engine = makeEngine(deployKinds)
    const started = await engine.startOperation('lab', 'destroy', undefined, { confirm: 'lab' })
    expect(started).toMatchObject({ operation: 'destroy', throughPhase: 'forget-cluster' })
    const run = await engine.settled(started.id)
    expect(run.state).toBe('failed')
    expect(run.steps.find((s) => s.stepId === 'uninstall:portainer')!.message).toBe(
      'This version of Clusterdeck has no "addon.uninstall" step, so "Uninstall Portainer" did nothing. A later version runs it; until then this phase is planned only.',
    )
    expect(stateOf(run, 'reset:turing-w1')).toBe('blocked')
    expect(stateOf(run, 'power-off:turing-cp1')).toBe('blocked')
    expect(fake.starts).toEqual([])
    expect(runs.list('lab')[0]).toMatchObject({ id: started.id, operation: 'destroy' })
  })

  it('refuses a run that would start work it cannot finish', async () => {
    engine = makeEngine(deployKinds)
    await expect(engine.deploy('lab', 'cluster-bootstrap')).rejects.toThrow(
      /cannot run the Cluster bootstrap phase yet \(no talos\.generate-secrets.*only through Node imaging/,
    )
    await expect(engine.startOperation('lab', 'destroy', 'node-imaging', { confirm: 'lab' })).rejects.toThrow(
      /A destroy has no phase "Node imaging"/,
    )
    expect(runs.list()).toEqual([])
  })

  it('starts a destroy only with the cluster’s name typed as confirmation', async () => {
    await expect(engine.startOperation('lab', 'destroy')).rejects.toThrow(
      /needs the cluster’s name typed as confirmation/,
    )
    await expect(engine.startOperation('lab', 'destroy', undefined, { confirm: 'Lab' })).rejects.toThrow(
      /The confirmation "Lab" is not the cluster’s name "lab"; nothing was destroyed/,
    )
    expect(runs.list()).toEqual([])
    expect(fake.starts).toEqual([])
  })

  it('refuses a destroy wiping the eMMC without the name typed, and on a Talos cluster at all', async () => {
    const wipeEmmc = { options: { wipeEmmc: true } }
    await expect(engine.startOperation('lab', 'destroy', undefined, wipeEmmc)).rejects.toThrow(
      /their eMMC too \(they boot nothing until re-flashed\).*needs the cluster’s name typed as confirmation/,
    )
    await expect(
      engine.startOperation('lab', 'destroy', undefined, { ...wipeEmmc, confirm: 'lab ' }),
    ).rejects.toThrow(/The confirmation "lab " is not the cluster’s name "lab"; nothing was destroyed/)
    await expect(
      engine.startOperation('lab', 'destroy', undefined, { ...wipeEmmc, confirm: 'lab' }),
    ).rejects.toThrow(
      /"lab" is a Talos cluster: its destroy already wipes the STATE and EPHEMERAL partitions/,
    )
    expect(runs.list()).toEqual([])
    expect(fake.starts).toEqual([])
  })

  it('serializes steps on every resource they hold: power-offs share the board, resets run together', async () => {
    for (const node of nodes) fake.hold.add(`reset:${node}`)
    const { id } = await engine.startOperation('lab', 'destroy', undefined, { confirm: 'lab' })
    const workers = nodes.slice(1)
    await until(() => workers.every((node) => fake.isRunning(`reset:${node}`)), 'the workers reset together')
    expect(fake.isRunning('reset:turing-cp1')).toBe(false)
    for (const node of workers) fake.release(`reset:${node}`)
    await until(() => fake.isRunning('reset:turing-cp1'), 'the control plane resets last')
    fake.release('reset:turing-cp1')
    const run = await engine.settled(id)
    expect(run.state).toBe('done')
    const powerOffs = fake.intervals.filter((i) => i.stepId.startsWith('power-off:'))
    expect(powerOffs).toHaveLength(4)
    const sorted = [...powerOffs].sort((a, b) => a.from - b.from)
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.from).toBeGreaterThan(sorted[i - 1]!.to)
  })
})

describe('lifecycle engine and secrets', () => {
  it('lets steps seal what they generate, redacts it from logs and refuses it in outputs', async () => {
    const vault = new Map<string, string>()
    const bundle = 'talos-bundle-6f1c2d9e8a7b'
    engine = new LifecycleEngine({
      runs,
      profiles: { get: () => saved },
      boardNames: async () => ['rack-1'],
      events: new EventBus(),
      sealedSecrets: () => ({
        seal: async (name, value) => void vault.set(name, value),
        open: async (name) => vault.get(name)!,
      }),
      executors: {
        ...fake.executors(),
        'talos.generate-secrets': {
          run: async ({ sealed, log }) => {
            await sealed.seal('talos-secrets', bundle)
            log(`generated ${bundle}`)
            return { message: 'sealed', output: { sealedAs: 'talos-secrets' } }
          },
        },
        'talos.generate-configs': {
          run: async ({ sealed }) => ({
            message: 'configs',
            output: { leaked: await sealed.open('talos-secrets') },
          }),
        },
      },
    })
    const { id } = await engine.deploy('lab', 'cluster-bootstrap')
    const run = await engine.settled(id)
    expect(vault.get('talos-secrets')).toBe(bundle)
    expect(runs.log(id, 'talos:secrets')).toMatch(/generated \[redacted\]/)
    expect(runs.log(id, 'talos:secrets')).not.toContain(bundle)
    expect(runs.output(id, 'talos:secrets')).toEqual({ sealedAs: 'talos-secrets' })
    expect(stateOf(run, 'talos:configs')).toBe('failed')
    expect(run.steps.find((s) => s.stepId === 'talos:configs')!.message).toMatch(
      /"talos.generate-configs" step returned a secret in its output; it was not saved/,
    )
    expect(runs.output(id, 'talos:configs')).toBeUndefined()
  })
})
