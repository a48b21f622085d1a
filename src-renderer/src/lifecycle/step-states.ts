// How each step and run state looks, in one place: the timeline bars, the legend, the badges and
// the log drawer all read from here.
import type { RunState, StepState } from '../../../src-shared/lifecycle/run-schema.ts'

export interface StateLook {
  label: string
  /** Mantine colour name for badges. */
  color: string
  /** What the legend says the state means. */
  meaning: string
}

export const stepLooks: Record<StepState, StateLook> = {
  pending: { label: 'pending', color: 'gray', meaning: 'waits for the steps before it' },
  running: { label: 'running', color: 'blue', meaning: 'in progress' },
  done: { label: 'done', color: 'teal', meaning: 'finished' },
  skipped: { label: 'skipped', color: 'lime', meaning: 'already in place, nothing to do' },
  failed: { label: 'failed', color: 'red', meaning: 'stopped with an error' },
  cancelled: { label: 'cancelled', color: 'orange', meaning: 'stopped by the user' },
  blocked: { label: 'blocked', color: 'yellow', meaning: 'a step it waits for failed' },
  'not-run': { label: 'not run', color: 'gray', meaning: 'outside this run, or not in this version' },
}

export const runLooks: Record<RunState, StateLook> = {
  running: { label: 'running', color: 'blue', meaning: 'in progress' },
  done: { label: 'done', color: 'teal', meaning: 'every step finished' },
  failed: { label: 'failed', color: 'red', meaning: 'a step failed' },
  cancelled: { label: 'cancelled', color: 'orange', meaning: 'stopped by the user' },
  interrupted: { label: 'interrupted', color: 'yellow', meaning: 'the app stopped while it ran' },
}

export const resumableRunStates: readonly RunState[] = ['interrupted', 'failed', 'cancelled']
