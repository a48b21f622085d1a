// The critical path of a finished deploy run, from its own step timings: the longest chain of
// steps through the plan's dependencies, with the flashes on one board taken back to back (they
// share the board's transfer slot), each step weighted by how long it ran. What the run took beyond
// that is time the engine left idle between steps.
import type { PlanStep } from '../src-shared/lifecycle/plan.ts'
import { resourceKeys } from '../src-shared/lifecycle/plan.ts'
import type { Run } from '../src-shared/lifecycle/run-schema.ts'

export interface TimedStep {
  step: PlanStep
  seconds: number
}

export function stepSeconds(run: Run): Map<string, number> {
  return new Map(
    run.steps.map((state) => [
      state.stepId,
      state.startedAt && state.finishedAt
        ? (Date.parse(state.finishedAt) - Date.parse(state.startedAt)) / 1000
        : 0,
    ]),
  )
}

/** The steps of the longest chain, first to last. */
export function criticalPath(run: Run): TimedStep[] {
  const seconds = stepSeconds(run)
  const steps = new Map(run.plan.steps.map((step) => [step.id, step]))
  // Each flash also waits for the one before it on the same board, in plan order.
  const previousOnBoard = new Map<string, string>()
  const lastOnBoard = new Map<string, string>()
  for (const step of run.plan.steps) {
    if (step.kind !== 'node.flash') continue
    const board = resourceKeys.board(step.params.board)
    const before = lastOnBoard.get(board)
    if (before) previousOnBoard.set(step.id, before)
    lastOnBoard.set(board, step.id)
  }
  const finish = new Map<string, { end: number; via: string | null }>()
  const endOf = (id: string): number => {
    const known = finish.get(id)
    if (known) return known.end
    const step = steps.get(id)!
    const before = [...step.dependsOn, ...(previousOnBoard.has(id) ? [previousOnBoard.get(id)!] : [])]
    let via: string | null = null
    let start = 0
    for (const dependency of before) {
      const end = endOf(dependency)
      if (end > start) [start, via] = [end, dependency]
    }
    const end = start + (seconds.get(id) ?? 0)
    finish.set(id, { end, via })
    return end
  }
  let last = run.plan.steps[0]!.id
  for (const step of run.plan.steps) if (endOf(step.id) > endOf(last)) last = step.id
  const path: TimedStep[] = []
  for (let id: string | null = last; id; id = finish.get(id)!.via)
    path.unshift({ step: steps.get(id)!, seconds: seconds.get(id) ?? 0 })
  return path
}
