// What the plan compilers of every operation share: the builder that types each step's
// parameters by its kind, and the order of nodes. The add-ons' layers are in
// src-shared/addons/addon-catalogue.ts.
import type { ClusterProfile, ProfileNode } from '../profiles/profile-schema.ts'
import type { OperationId, OperationOptions, Plan, PlanStep, PlanStepOf, StepKind } from './plan.ts'

/** Nodes by board and slot: the order rows are drawn and flashes run in. */
export function orderedNodes(profile: ClusterProfile): ProfileNode[] {
  return [...profile.nodes].sort((a, b) => a.board.localeCompare(b.board) || a.slot - b.slot)
}

/** Builds a plan's steps; `step` infers each kind's parameters, so a plan cannot carry wrong ones. */
export class PlanBuilder {
  readonly steps: PlanStep[] = []

  step<K extends StepKind>(
    kind: K,
    step: Omit<PlanStepOf<K>, 'kind' | 'resources'> & { resources?: string[] },
  ): void {
    this.steps.push({ ...step, kind, resources: step.resources ?? [] } as PlanStepOf<K>)
  }

  plan(operation: OperationId, profile: ClusterProfile, options: OperationOptions = {}): Plan {
    return {
      operation,
      options,
      profileName: profile.name,
      distribution: profile.distribution,
      steps: this.steps,
    }
  }
}
