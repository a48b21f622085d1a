// The timeline's layout: one section per phase; inside it a row per node for the steps that act on
// a node, and a row of its own for each cluster-wide step (they can run side by side). Row order
// follows the plan, which lists nodes by board and slot.
import {
  phaseTitles,
  planPhases,
  slotOf,
  type PhaseId,
  type PlanStep,
  type StepKind,
} from '../../../src-shared/lifecycle/plan.ts'
import type { Run, RunStep, StepAttempt, StepState } from '../../../src-shared/lifecycle/run-schema.ts'

export interface TimelineStep {
  plan: PlanStep
  state: RunStep
}

export interface TimelineRow {
  key: string
  label: string
  /** Where the node sits, e.g. "rack-1 · slot 2". */
  detail?: string
  node?: string
  steps: TimelineStep[]
}

export interface TimelineSection {
  phase: PhaseId
  title: string
  rows: TimelineRow[]
  steps: TimelineStep[]
  /** Every step of the phase is outside this run (or not in this version). */
  notRun: boolean
}

const missingState = (stepId: string): RunStep => ({
  stepId,
  state: 'pending',
  attempts: 0,
  startedAt: null,
  finishedAt: null,
  message: null,
  earlierAttempts: [],
})

export function timelineSections(run: Run): TimelineSection[] {
  const states = new Map(run.steps.map((step) => [step.stepId, step]))
  return planPhases(run.plan).flatMap((phase) => {
    const steps = run.plan.steps
      .filter((step) => step.phase === phase)
      .map((plan) => ({ plan, state: states.get(plan.id) ?? missingState(plan.id) }))
    if (steps.length === 0) return []
    const rows = new Map<string, TimelineRow>()
    for (const step of steps) {
      const key = step.plan.node ? `node:${step.plan.node}` : `step:${step.plan.id}`
      const row = rows.get(key)
      if (row) row.steps.push(step)
      else
        rows.set(key, {
          key,
          label: step.plan.node ?? step.plan.title,
          detail: step.plan.node ? placeOf(step.plan) : undefined,
          node: step.plan.node,
          steps: [step],
        })
    }
    return [
      {
        phase,
        title: phaseTitles[phase],
        rows: [...rows.values()],
        steps,
        notRun: steps.every((step) => step.state.state === 'not-run'),
      },
    ]
  })
}

function placeOf(step: PlanStep): string | undefined {
  const place = slotOf(step)
  return place && `${place.board} · slot ${place.slot}`
}

const shortNames: Partial<Record<StepKind, string>> = {
  'node.flash': 'Flash',
  'node.wait-boot': 'Boot',
  'talos.apply-config': 'Apply config',
  'k3s.prepare-node': 'Prepare',
  'k3s.install-server': 'K3s server',
  'k3s.install-agent': 'Join as agent',
}

/** A step's name inside its node's row, where the node is already said. */
export function shortStepName(step: PlanStep): string {
  return (step.node && shortNames[step.kind]) || step.title
}

/** The state a phase shows in its header: the most telling of its steps' states. */
export function phaseState(section: TimelineSection): StepState {
  const states = new Set(section.steps.map((step) => step.state.state))
  for (const state of ['failed', 'running', 'cancelled', 'blocked'] as const)
    if (states.has(state)) return state
  if (section.notRun) return 'not-run'
  if ([...states].every((state) => state === 'done' || state === 'skipped' || state === 'not-run'))
    return states.has('done') ? 'done' : 'skipped'
  return 'pending'
}

/** Milliseconds from the run's start to when a step started and ended (`now` while it runs). */
export function stepSpan(step: RunStep, runStart: number, now: number): { from: number; to: number } | null {
  if (!step.startedAt) return null
  const from = Date.parse(step.startedAt) - runStart
  const to = (step.finishedAt ? Date.parse(step.finishedAt) : now) - runStart
  return { from, to: Math.max(from, to) }
}

/** The attempts before a step's latest one (a retry, a resume), drawn faded behind it. */
export function earlierSpans(
  step: RunStep,
  runStart: number,
): Array<{ attempt: StepAttempt; from: number; to: number }> {
  return step.earlierAttempts.map((attempt) => {
    const from = Date.parse(attempt.startedAt) - runStart
    return { attempt, from, to: Math.max(from, Date.parse(attempt.finishedAt) - runStart) }
  })
}

/** The latest moment the run records: its end, or the latest start or end of a step. */
export function latestMoment(run: Run): number {
  const moments = run.steps
    .flatMap((step) => [step.finishedAt, step.startedAt, ...step.earlierAttempts.map((a) => a.finishedAt)])
    .filter((at) => at !== null)
  return Math.max(Date.parse(run.finishedAt ?? run.createdAt), ...moments.map((at) => Date.parse(at)))
}

/** How long the run has gone on: to now while it runs, else to its latest recorded moment. */
export function runElapsed(run: Run, now: number): number {
  return (run.state === 'running' ? now : latestMoment(run)) - Date.parse(run.createdAt)
}
