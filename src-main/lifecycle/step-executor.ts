// What the engine needs from each kind of step. A step checks first whether its effect is already
// in place (so a resumed run skips it), then does its work; both watch the run's abort signal.
import type { PlanStepOf, StepKind } from '../../src-shared/lifecycle/plan.ts'
import type { ClusterProfile } from '../../src-shared/profiles/profile-schema.ts'

export interface StepContext<K extends StepKind = StepKind> {
  readonly runId: string
  /** When the run was created: effects older than this belong to earlier runs. */
  readonly runCreatedAt: string
  /** The step, with the parameters of its kind. */
  readonly step: PlanStepOf<K>
  readonly profile: ClusterProfile
  readonly signal: AbortSignal
  /** Adds a line to the step's log; secrets registered with `secret` are redacted from it. */
  log(line: string): void
  /** Registers a value that must never appear in logs (a token, a generated password). */
  secret(value: string): void
  /** What an earlier step of this run produced (e.g. the prepared image's hash). */
  outputOf(stepId: string): Record<string, unknown> | undefined
  /**
   * What the user typed to allow this attempt something destructive (lifecycle.retryStep's
   * `confirm`): a step that needs it throws `confirmation_required` with the phrase to type.
   * Given to one attempt only, never remembered.
   */
  readonly confirmations: readonly string[]
  /** The cluster's sealed secrets: where a step keeps what it generates (never in its output). */
  readonly sealed: StepSecrets
}

/** Sealed files of the run's cluster (src-main/secrets/sealed-secrets.ts), by name. */
export interface StepSecrets {
  /** Seals the value (and redacts it from this run's logs from now on). */
  seal(name: string, value: string): Promise<void>
  open(name: string): Promise<string>
}

export interface StepResult {
  message: string
  /** Saved with the step for the steps that wait for it. */
  output?: Record<string, unknown>
}

export interface StepExecutor<K extends StepKind = StepKind> {
  /** Returns why the step can be skipped, or null when it must run. Must not change anything. */
  alreadyDone?(context: StepContext<K>): Promise<StepResult | null>
  run(context: StepContext<K>): Promise<StepResult>
}

/** The executor of each step kind this version can run. */
export type StepExecutors = { [K in StepKind]?: StepExecutor<K> }

/** A step kind both distributions run, each its own way (the wait for every node Ready). */
export function byDistribution<K extends StepKind>(
  executors: Record<ClusterProfile['distribution'], StepExecutor<K>>,
): StepExecutor<K> {
  return {
    alreadyDone: async (context) =>
      (await executors[context.profile.distribution].alreadyDone?.(context)) ?? null,
    run: (context) => executors[context.profile.distribution].run(context),
  }
}
