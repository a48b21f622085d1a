// The lifecycle engine: compiles a profile into its plan, runs the steps of the chosen phases —
// at the same time where they are independent, one at a time where they share a resource — and
// persists every state change before announcing it. A run whose process died is "interrupted";
// resuming it re-checks each unfinished step and skips the ones whose effect is already in place.
import { randomUUID } from 'node:crypto'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { compilePlan } from '../../src-shared/lifecycle/compile-plan.ts'
import {
  operationTitles,
  phaseTitles,
  planPhases,
  stepsOfPhase,
  type OperationId,
  type OperationOptions,
  type PhaseId,
  type Plan,
  type PlanStep,
  type StepKind,
} from '../../src-shared/lifecycle/plan.ts'
import type { Run, RunState, StepState } from '../../src-shared/lifecycle/run-schema.ts'
import type { ClusterProfile } from '../../src-shared/profiles/profile-schema.ts'
import { hasErrors, validateProfile } from '../../src-shared/profiles/validate-profile.ts'
import type { EventBus } from '../core/event-bus.ts'
import type { ProfileService } from '../profiles/profile-service.ts'
import { holdsSecret, redact } from './redact.ts'
import type { RunRepository } from './run-repository.ts'
import type { StepContext, StepExecutor, StepExecutors, StepSecrets } from './step-executor.ts'

export interface LifecycleEngineOptions {
  runs: RunRepository
  profiles: Pick<ProfileService, 'get'>
  boardNames(): Promise<string[]>
  executors: StepExecutors
  events: EventBus
  /** Told when a run's execution ends (its state is saved): the cluster record follows what it did. */
  onRunSettled?(
    run: Run,
    profile: ClusterProfile,
    outputOf: (stepId: string) => Record<string, unknown> | undefined,
  ): void
  /** The sealed secrets of the cluster a run acts on. */
  sealedSecrets?(run: Run, profile: ClusterProfile): StepSecrets
  /** How often a running run proves its process is alive; three missed beats make it interrupted. */
  heartbeatMs?: number
  /** Refuses an operation before it starts (an upgrade skipping versions); throws an AppError. */
  checkStart?(profile: ClusterProfile, plan: Plan): void
}

/** How a run is asked for beyond its profile and scope. */
export interface StartOptions {
  options?: OperationOptions
  /** A destroy's typed confirmation: the profile's name. */
  confirm?: string | undefined
}

interface Active {
  controller: AbortController
  done: Promise<void>
  /**
   * Hands steps made pending again (a retry) to the running execution, which works from its own
   * view of the states. False once it has stopped taking work: then a new execution must start.
   */
  reopen(stepIds: readonly string[]): boolean
}

const settled: readonly StepState[] = ['done', 'skipped']
const dead: readonly StepState[] = ['failed', 'cancelled', 'blocked', 'not-run']

export class LifecycleEngine {
  private readonly options: LifecycleEngineOptions
  private readonly active = new Map<string, Active>()
  /** Typed confirmations waiting for the next attempt of a step, by run and step id. */
  private readonly confirmations = new Map<string, string>()
  private readonly heartbeatMs: number

  constructor(options: LifecycleEngineOptions) {
    this.options = options
    this.heartbeatMs = options.heartbeatMs ?? 5_000
    this.markOrphans()
  }

  /** Runs whose process died are interrupted, waiting for a resume. */
  markOrphans(): void {
    for (const runId of this.options.runs.orphanedRunIds(this.heartbeatMs * 3)) {
      if (this.active.has(runId)) continue
      this.options.runs.setRunState(
        runId,
        'interrupted',
        null,
        'The process running it stopped; resume to continue.',
      )
    }
  }

  /** The phases of the plan's operation this version can run, in order: every step in them has an executor. */
  runnablePhases(plan: Plan): PhaseId[] {
    const runnable: PhaseId[] = []
    for (const phase of planPhases(plan)) {
      if (!stepsOfPhase(plan, phase).every((step) => this.options.executors[step.kind])) break
      runnable.push(phase)
    }
    return runnable
  }

  plan(
    profileRef: string,
    operation: OperationId = 'deploy',
    options: OperationOptions = {},
  ): { plan: Plan; runnablePhases: PhaseId[]; refusal?: { message: string; hint?: string } } {
    const { profile } = this.options.profiles.get(profileRef)
    const plan = compilePlan(profile, operation, options)
    // The same check a start makes, so a dry run shows what would stop it (a version skew).
    try {
      this.options.checkStart?.(profile, plan)
    } catch (error) {
      if (!(error instanceof AppError)) throw error
      const { message, hint } = error.toData()
      return {
        plan,
        runnablePhases: this.runnablePhases(plan),
        refusal: { message, ...(hint ? { hint } : {}) },
      }
    }
    return { plan, runnablePhases: this.runnablePhases(plan) }
  }

  deploy(profileRef: string, throughPhase?: PhaseId): Promise<Run> {
    return this.startOperation(profileRef, 'deploy', throughPhase)
  }

  /**
   * Starts a run of one operation through the given phase (default: as far as this version goes).
   * A run never starts work it cannot finish: when some steps in its scope can run and others
   * cannot, it is refused. When none can (an operation this version only plans), the run starts
   * and each step fails with not_implemented, naming its kind — touching nothing.
   */
  async startOperation(
    profileRef: string,
    operation: OperationId,
    throughPhase?: PhaseId,
    start: StartOptions = {},
  ): Promise<Run> {
    const saved = this.options.profiles.get(profileRef)
    // A destroy wipes every node: it starts only when the cluster's name was typed (docs/destroy.md).
    if (operation === 'destroy' && start.confirm !== saved.name) {
      // Wiping the boot device leaves nodes that boot nothing until re-flashed: said as such.
      const emmc = start.options?.wipeEmmc === true
      const what = emmc
        ? 'wipes all its nodes, their eMMC too (they boot nothing until re-flashed), and powers them off'
        : 'wipes and powers off all its nodes'
      throw new AppError(
        'invalid_input',
        start.confirm === undefined
          ? `A destroy of "${saved.name}" ${what}, so it needs the cluster’s name typed as confirmation.`
          : `The confirmation "${start.confirm}" is not the cluster’s name "${saved.name}"; nothing was destroyed.`,
        `Type the name exactly: clusterdeck destroy ${saved.name} --confirm ${saved.name}${emmc ? ' --wipe-emmc' : ''}`,
      )
    }
    const issues = validateProfile(saved.profile, { boardNames: await this.options.boardNames() })
    if (hasErrors(issues)) {
      throw new AppError(
        'invalid_input',
        `The profile "${saved.name}" cannot be used for a ${operation}: ${issues
          .filter((issue) => issue.severity === 'error')
          .map((issue) => `${issue.path}: ${issue.message}`)
          .join('; ')}`,
        'Correct the profile and try again.',
      )
    }
    const plan = compilePlan(saved.profile, operation, start.options ?? {})
    this.options.checkStart?.(saved.profile, plan)
    const phases = planPhases(plan)
    if (throughPhase && !phases.includes(throughPhase)) {
      throw new AppError(
        'invalid_input',
        `A ${operation} has no phase "${phaseTitles[throughPhase]}"; its phases are ${phases.map((p) => phaseTitles[p]).join(', ')}.`,
      )
    }
    const runnable = this.runnablePhases(plan)
    const through = throughPhase ?? runnable.at(-1) ?? phases.at(-1)!
    const inScope = phases.slice(0, phases.indexOf(through) + 1)
    const scope = plan.steps.filter((step) => inScope.includes(step.phase))
    const missing = scope.filter((step) => !this.options.executors[step.kind])
    if (missing.length > 0 && missing.length < scope.length) {
      const blocker = inScope.find((phase) => !runnable.includes(phase))!
      throw new AppError(
        'invalid_input',
        `This version of Clusterdeck cannot run the ${phaseTitles[blocker]} phase yet (no ${[...new Set(missing.map((step) => step.kind))].join(', ')}), so it can ${operation} only through ${runnable.length ? phaseTitles[runnable.at(-1)!] : 'no phase'}.`,
        `${operationTitles[operation]} through an earlier phase.`,
      )
    }
    const run: Run = {
      id: randomUUID(),
      operation,
      profileId: saved.id,
      profileName: saved.name,
      distribution: saved.profile.distribution,
      plan,
      throughPhase: through,
      state: 'running',
      createdAt: new Date().toISOString(),
      finishedAt: null,
      message: null,
      steps: plan.steps.map((step) => {
        const included = inScope.includes(step.phase)
        return {
          stepId: step.id,
          state: included ? 'pending' : 'not-run',
          attempts: 0,
          startedAt: null,
          finishedAt: null,
          message: included
            ? null
            : this.options.executors[step.kind]
              ? `after ${phaseTitles[through]}, where this run stops`
              : 'not available in this version of Clusterdeck',
          earlierAttempts: [],
        }
      }),
    }
    this.options.runs.create(run, saved.profile)
    this.start(run.id)
    return this.snapshot(run.id)
  }

  /** `confirm`: a phrase the user typed for a step that asked for one (given to its next attempt only). */
  resume(runId: string, confirm?: string): Run {
    this.markOrphans()
    const run = this.snapshot(runId)
    if (this.active.has(runId)) throw new AppError('conflict', 'This run is already running.')
    if (run.state === 'done') throw new AppError('conflict', 'This run finished; start a new run instead.')
    if (run.state === 'running') {
      throw new AppError(
        'conflict',
        'This run is still running in another Clusterdeck process.',
        'Wait for it, or cancel it there.',
      )
    }
    const reopened = this.reopen(run, (state) => !settled.includes(state) && state !== 'not-run')
    if (confirm !== undefined)
      for (const stepId of reopened) this.confirmations.set(`${runId} ${stepId}`, confirm)
    this.start(runId)
    return this.snapshot(runId)
  }

  /** Runs a failed step again, and what it blocked — also while other steps of the run still run. */
  retryStep(runId: string, stepId: string, confirm?: string): Run {
    this.markOrphans()
    const run = this.snapshot(runId)
    const step = run.steps.find((s) => s.stepId === stepId)
    if (!step) throw new AppError('not_found', `The run has no step "${stepId}".`)
    if (step.state !== 'failed')
      throw new AppError('conflict', `Only a failed step can be retried; "${stepId}" is ${step.state}.`)
    const active = this.active.get(runId)
    if (active?.controller.signal.aborted) {
      throw new AppError('conflict', 'The run is being cancelled.', 'Retry the step once it has stopped.')
    }
    if (!active && run.state === 'running') {
      throw new AppError(
        'conflict',
        'This run is running in another Clusterdeck process.',
        'Retry the step there, or wait for the run to stop.',
      )
    }
    const reopened = this.reopen(
      run,
      (state, id) => id === stepId || state === 'blocked' || state === 'cancelled',
    )
    if (confirm !== undefined) this.confirmations.set(`${runId} ${stepId}`, confirm)
    if (!active?.reopen(reopened)) this.start(runId)
    return this.snapshot(runId)
  }

  cancel(runId: string): Run {
    const run = this.snapshot(runId)
    const active = this.active.get(runId)
    if (active) {
      active.controller.abort()
    } else if (run.state === 'running' || run.state === 'interrupted') {
      this.finishPending(runId, 'cancelled', 'the run was cancelled')
      this.options.runs.setRunState(runId, 'cancelled', new Date().toISOString(), 'Cancelled.')
      this.announce(runId)
    } else {
      throw new AppError('conflict', `The run is ${run.state}; there is nothing to cancel.`)
    }
    return this.snapshot(runId)
  }

  /** Resolves when the run's execution in this process ends (the CLI waits on it), retries included. */
  async settled(runId: string): Promise<Run> {
    for (let active = this.active.get(runId); active; active = this.active.get(runId)) await active.done
    return this.snapshot(runId)
  }

  /** Cancels every run this process executes and waits for them (the core is shutting down). */
  async stopAll(): Promise<void> {
    for (const active of this.active.values()) active.controller.abort()
    await Promise.allSettled([...this.active.values()].map((active) => active.done))
  }

  snapshot(runId: string): Run {
    const run = this.options.runs.get(runId)
    if (!run) throw new AppError('not_found', `No run ${runId} is recorded.`, 'List the runs to see them.')
    return run
  }

  /** Makes the chosen steps pending again (their attempts so far kept) and returns their ids. */
  private reopen(run: Run, shouldReopen: (state: StepState, stepId: string) => boolean): string[] {
    const reopened = run.steps.filter((step) => shouldReopen(step.state, step.stepId)).map((s) => s.stepId)
    for (const stepId of reopened) this.options.runs.reopenStep(run.id, stepId)
    this.options.runs.setRunState(run.id, 'running', null, null)
    this.announce(run.id)
    return reopened
  }

  private start(runId: string): void {
    const controller = new AbortController()
    const execution = new Execution()
    const done = this.execute(runId, controller.signal, execution)
      .catch((error: unknown) => {
        this.options.runs.setRunState(
          runId,
          'failed',
          new Date().toISOString(),
          `The engine failed: ${(error as Error).message}`,
        )
        this.announce(runId)
      })
      .finally(() => {
        // A retry after this execution stopped taking work has already put a new one in its place.
        if (this.active.get(runId) === active) this.active.delete(runId)
      })
    const active: Active = { controller, done, reopen: (stepIds) => execution.reopen(stepIds) }
    this.active.set(runId, active)
  }

  private async execute(runId: string, signal: AbortSignal, execution: Execution): Promise<void> {
    const { runs } = this.options
    const beat = setInterval(() => runs.heartbeat(runId), this.heartbeatMs)
    const run = this.snapshot(runId)
    const profile = runs.profileOf(runId)
    const steps = new Map(run.plan.steps.map((step) => [step.id, step]))
    const states = execution.states
    for (const step of run.steps) states.set(step.stepId, step.state)
    const running = new Map<string, Promise<void>>()
    const busy = new Set<string>()
    const secrets = new Set<string>()
    this.announce(runId)

    try {
      for (;;) {
        this.blockUnreachable(runId, steps, states)
        if (!signal.aborted) {
          for (const step of run.plan.steps) {
            if (states.get(step.id) !== 'pending') continue
            if (!step.dependsOn.every((dependency) => settled.includes(states.get(dependency)!))) continue
            if (step.resources.some((resource) => busy.has(resource))) continue
            for (const resource of step.resources) busy.add(resource)
            states.set(step.id, 'running')
            const execution = this.runStep(runId, run.createdAt, step, profile, signal, secrets).then(
              (state) => {
                states.set(step.id, state)
                for (const resource of step.resources) busy.delete(resource)
                running.delete(step.id)
              },
            )
            running.set(step.id, execution)
          }
        }
        if (running.size === 0) break
        await Promise.race([...running.values(), execution.wakeUp()])
      }
    } finally {
      execution.close()
      clearInterval(beat)
    }

    if (signal.aborted) this.finishPending(runId, 'cancelled', 'the run was cancelled')
    const final = [...states.values()]
    const state: RunState = signal.aborted
      ? 'cancelled'
      : final.some((s) => s === 'failed' || s === 'blocked')
        ? 'failed'
        : 'done'
    const failedSteps = run.plan.steps
      .filter((step) => states.get(step.id) === 'failed')
      .map((step) => step.title)
    runs.setRunState(
      runId,
      state,
      new Date().toISOString(),
      state === 'done'
        ? `Finished ${phaseTitles[run.throughPhase]}.`
        : state === 'cancelled'
          ? 'Cancelled.'
          : `Failed: ${failedSteps.join('; ')}.`,
    )
    this.options.onRunSettled?.(this.snapshot(runId), profile, (stepId) => runs.output(runId, stepId))
    this.announce(runId)
  }

  /** Pending steps waiting for a step that can no longer finish are blocked, with the reason. */
  private blockUnreachable(
    runId: string,
    steps: Map<string, PlanStep>,
    states: Map<string, StepState>,
  ): void {
    let changed = true
    while (changed) {
      changed = false
      for (const [id, state] of states) {
        if (state !== 'pending') continue
        const culprit = steps.get(id)!.dependsOn.find((dependency) => dead.includes(states.get(dependency)!))
        if (!culprit) continue
        states.set(id, 'blocked')
        this.options.runs.updateStep(runId, id, {
          state: 'blocked',
          message: `waits for "${steps.get(culprit)!.title}", which ${states.get(culprit) === 'not-run' ? 'does not run' : states.get(culprit)}`,
        })
        changed = true
      }
    }
  }

  private finishPending(runId: string, state: StepState, message: string): void {
    for (const step of this.snapshot(runId).steps) {
      if (step.state === 'pending' || step.state === 'running')
        this.options.runs.updateStep(runId, step.stepId, { state, message })
    }
  }

  private async runStep(
    runId: string,
    runCreatedAt: string,
    step: PlanStep,
    profile: ClusterProfile,
    signal: AbortSignal,
    secrets: Set<string>,
  ): Promise<StepState> {
    const { runs, events } = this.options
    const attempts = (this.snapshot(runId).steps.find((s) => s.stepId === step.id)?.attempts ?? 0) + 1
    runs.updateStep(runId, step.id, {
      state: 'running',
      attempts,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      message: null,
    })
    this.announce(runId)
    const log = (line: string) => {
      const clean = redact(line, secrets)
      const stamped = `${new Date().toISOString()} ${clean}`
      runs.appendLog(runId, step.id, stamped)
      runs.updateStep(runId, step.id, { message: clean })
      events.emit('lifecycle.log', { runId, stepId: step.id, line: stamped })
    }
    const confirmation = this.confirmations.get(`${runId} ${step.id}`)
    this.confirmations.delete(`${runId} ${step.id}`)
    const context: StepContext = {
      runId,
      runCreatedAt,
      step,
      profile,
      signal,
      log,
      secret: (value) => void secrets.add(value),
      outputOf: (stepId) => runs.output(runId, stepId),
      confirmations: confirmation === undefined ? [] : [confirmation],
      sealed: this.sealedFor(runId, profile, secrets),
    }
    const executor = this.executorOf(step.kind)
    let state: StepState
    let message: string
    let confirmPhrase: string | undefined
    try {
      if (!executor) {
        throw new AppError(
          'not_implemented',
          `This version of Clusterdeck has no "${step.kind}" step, so "${step.title}" did nothing.`,
          'A later version runs it; until then this phase is planned only.',
        )
      }
      const skip = await executor.alreadyDone?.(context)
      const result = skip ?? (await executor.run(context))
      if (result.output) {
        // Outputs are stored in SQLite in clear: a secret in one is a bug in its executor, so it is refused.
        if (holdsSecret(JSON.stringify(result.output), secrets)) {
          throw new AppError(
            'internal',
            `The "${step.kind}" step returned a secret in its output; it was not saved.`,
            'Secrets belong in the cluster’s sealed files: report this as a bug.',
          )
        }
        runs.setOutput(runId, step.id, result.output)
      }
      state = skip ? 'skipped' : 'done'
      message = skip ? `already in place: ${result.message}` : result.message
    } catch (error) {
      const appError =
        error instanceof AppError
          ? error
          : new AppError('internal', (error as Error)?.message ?? String(error))
      state = signal.aborted || appError.code === 'cancelled' ? 'cancelled' : 'failed'
      message = appError.hint ? `${appError.message} ${appError.hint}` : appError.message
      if (appError.code === 'confirmation_required') confirmPhrase = appError.details?.phrase
    }
    message = redact(message, secrets)
    runs.appendLog(runId, step.id, `${new Date().toISOString()} ${state}: ${message}`)
    runs.updateStep(runId, step.id, { state, finishedAt: new Date().toISOString(), message, confirmPhrase })
    this.announce(runId)
    return state
  }

  private sealedFor(runId: string, profile: ClusterProfile, secrets: Set<string>): StepSecrets {
    const store = this.options.sealedSecrets?.(this.snapshot(runId), profile)
    const unavailable = () =>
      new AppError(
        'internal',
        'This core keeps no sealed cluster secrets, so the step cannot keep its secret.',
      )
    return {
      async seal(name, value) {
        secrets.add(value)
        if (!store) throw unavailable()
        await store.seal(name, value)
      },
      async open(name) {
        if (!store) throw unavailable()
        const value = await store.open(name)
        secrets.add(value)
        return value
      },
    }
  }

  /** The executor of a kind, typed for the steps of that kind (the map is keyed by kind). */
  private executorOf(kind: StepKind): StepExecutor | undefined {
    return this.options.executors[kind] as StepExecutor | undefined
  }

  private announce(runId: string): void {
    this.options.events.emit('lifecycle.run', this.snapshot(runId))
  }
}

/**
 * The states one execution works from, and the way a retry reaches it: reopened steps become
 * pending here too and wake the loop, which may be waiting for unrelated steps to finish.
 */
class Execution {
  readonly states = new Map<string, StepState>()
  private closed = false
  private wake: () => void = () => undefined

  wakeUp(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve))
  }

  reopen(stepIds: readonly string[]): boolean {
    if (this.closed) return false
    for (const stepId of stepIds) this.states.set(stepId, 'pending')
    this.wake()
    return true
  }

  /** Called, synchronously, as the loop ends: what happens from here on is not seen by this execution. */
  close(): void {
    this.closed = true
  }
}
