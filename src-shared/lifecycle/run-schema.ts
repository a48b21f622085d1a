// A run of a plan as it is persisted and shown on the timeline: the run's state and each step's.
import { z } from 'zod'
import { operationIdSchema, phaseIdSchema, planSchema } from './plan.ts'

export const stepStates = [
  'pending',
  'running',
  'done',
  /** The step's effect was already in place (a resumed run), so it did nothing. */
  'skipped',
  'failed',
  'cancelled',
  /** A step it waits for failed or was cancelled. */
  'blocked',
  /** Outside the run's phases, or not available in this version of Clusterdeck. */
  'not-run',
] as const
export const stepStateSchema = z.enum(stepStates)
export type StepState = z.infer<typeof stepStateSchema>

export const runStates = ['running', 'done', 'failed', 'cancelled', 'interrupted'] as const
export const runStateSchema = z.enum(runStates)
export type RunState = z.infer<typeof runStateSchema>

/** One finished (or abandoned) attempt at a step, kept when the step is retried or resumed. */
export const stepAttemptSchema = z.object({
  attempt: z.number(),
  state: stepStateSchema,
  startedAt: z.string(),
  finishedAt: z.string(),
  /** How the attempt ended: its result or why it failed. */
  message: z.string().nullable(),
})
export type StepAttempt = z.infer<typeof stepAttemptSchema>

export const runStepSchema = z.object({
  stepId: z.string(),
  state: stepStateSchema,
  /** How many times the step has started; the fields below describe the latest attempt. */
  attempts: z.number(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** The latest line of the step's log, or why it failed, was skipped or did not run. */
  message: z.string().nullable(),
  /**
   * A failed step that waits for the user to type this phrase before it does something destructive
   * (erasing a drive that holds data); retrying with it typed lets the step go on.
   */
  confirmPhrase: z.string().optional(),
  /** The attempts before the latest one, oldest first. */
  earlierAttempts: z.array(stepAttemptSchema),
})
export type RunStep = z.infer<typeof runStepSchema>

export const runSchema = z.object({
  id: z.string(),
  operation: operationIdSchema,
  profileId: z.string().nullable(),
  profileName: z.string(),
  distribution: z.enum(['talos', 'k3s']),
  plan: planSchema,
  /** The last phase this run goes through. */
  throughPhase: phaseIdSchema,
  state: runStateSchema,
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  message: z.string().nullable(),
  steps: z.array(runStepSchema),
})
export type Run = z.infer<typeof runSchema>

export const runSummarySchema = runSchema.omit({ plan: true, steps: true }).extend({
  stepCounts: z.record(stepStateSchema, z.number()),
})
export type RunSummary = z.infer<typeof runSummarySchema>

export const finishedStepStates: readonly StepState[] = [
  'done',
  'skipped',
  'failed',
  'cancelled',
  'blocked',
  'not-run',
]
