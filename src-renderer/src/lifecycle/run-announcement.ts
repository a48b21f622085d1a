// What a screen reader hears about a deploy: the phase it is in while it runs, then how it ended.
// Steps come and go many times a minute; the phase changes a few times per run.
import { phaseTitles } from '../../../src-shared/lifecycle/plan.ts'
import type { Run } from '../../../src-shared/lifecycle/run-schema.ts'

export function runAnnouncement(run: Run): string {
  const who = `Deploy of ${run.profileName}`
  if (run.state === 'running') {
    const running = run.steps.find((step) => step.state === 'running')
    const phase = run.plan.steps.find((step) => step.id === running?.stepId)?.phase
    return phase ? `${who}: ${phaseTitles[phase].toLowerCase()}` : `${who}: running`
  }
  const ended = { done: 'finished', failed: 'failed', cancelled: 'cancelled', interrupted: 'interrupted' }[
    run.state
  ]
  return `${who} ${ended}${run.message ? `: ${run.message}` : ''}`
}
