// What the engine needs from each kind of step. A step checks first whether its effect is already
// in place (so a resumed run skips it), then does its work; both watch the run's abort signal.
import type { PlanStep } from '../../src-shared/lifecycle/plan.ts'
import type { ClusterProfile } from '../../src-shared/profiles/profile-schema.ts'

export interface StepContext {
  readonly runId: string
  /** When the run was created: effects older than this belong to earlier runs. */
  readonly runCreatedAt: string
  readonly step: PlanStep
  readonly profile: ClusterProfile
  readonly signal: AbortSignal
  /** Adds a line to the step's log; secrets registered with `secret` are redacted from it. */
  log(line: string): void
  /** Registers a value that must never appear in logs (a token, a generated password). */
  secret(value: string): void
  /** What an earlier step of this run produced (e.g. the prepared image's hash). */
  outputOf(stepId: string): Record<string, unknown> | undefined
}

export interface StepResult {
  message: string
  /** Saved with the step for the steps that wait for it. */
  output?: Record<string, unknown>
}

export interface StepExecutor {
  /** Returns why the step can be skipped, or null when it must run. Must not change anything. */
  alreadyDone?(context: StepContext): Promise<StepResult | null>
  run(context: StepContext): Promise<StepResult>
}
