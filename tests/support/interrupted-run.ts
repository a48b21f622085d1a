// A deploy interrupted after its bootstrap, as a resumed deploy finds it: what came before the
// add-ons is done, the add-ons are still to do. The peers tests resume it to install the add-ons
// with the real engine and helm.
import { randomUUID } from 'node:crypto'
import { compilePlan } from '../../src-shared/lifecycle/compile-plan.ts'
import { operationPhases, type PhaseId } from '../../src-shared/lifecycle/plan.ts'
import type { Run } from '../../src-shared/lifecycle/run-schema.ts'
import type { SavedProfile } from '../../src-shared/profiles/profile-schema.ts'

const deployPhases: readonly PhaseId[] = operationPhases.deploy

/** A deploy interrupted after its bootstrap: what came before the add-ons is done, they are not. */
export function interruptedRun(saved: SavedProfile): Run {
  const plan = compilePlan(saved.profile)
  const addonPhase = deployPhases.indexOf('addon-deployment')
  const createdAt = new Date().toISOString()
  return {
    id: randomUUID(),
    operation: 'deploy',
    profileId: saved.id,
    profileName: saved.name,
    distribution: saved.profile.distribution,
    plan,
    throughPhase: 'addon-deployment',
    state: 'interrupted',
    createdAt,
    finishedAt: null,
    message: null,
    steps: plan.steps.map((step) => {
      const phase = deployPhases.indexOf(step.phase)
      return {
        stepId: step.id,
        state: phase < addonPhase ? 'done' : phase === addonPhase ? 'pending' : 'not-run',
        attempts: 0,
        startedAt: null,
        finishedAt: null,
        message: null,
        earlierAttempts: [],
      }
    }),
  }
}
