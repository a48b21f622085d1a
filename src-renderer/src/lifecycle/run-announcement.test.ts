import { describe, expect, it } from 'vitest'
import type { Plan } from '../../../src-shared/lifecycle/plan.ts'
import type { Run, RunStep } from '../../../src-shared/lifecycle/run-schema.ts'
import { runAnnouncement } from './run-announcement.ts'

const plan = {
  steps: [
    {
      id: 'image',
      phase: 'image-preparation',
      kind: 'image.prepare',
      title: 'Prepare',
      dependsOn: [],
      params: {},
    },
    { id: 'flash:a', phase: 'node-imaging', kind: 'node.flash', title: 'Flash a', dependsOn: [], params: {} },
    { id: 'flash:b', phase: 'node-imaging', kind: 'node.flash', title: 'Flash b', dependsOn: [], params: {} },
  ],
} as unknown as Plan

function run(state: Run['state'], steps: [string, RunStep['state']][], message: string | null = null): Run {
  return {
    profileName: 'lab',
    plan,
    state,
    message,
    steps: steps.map(([stepId, stepState]) => ({ stepId, state: stepState })),
  } as unknown as Run
}

describe('what a deploy announces', () => {
  it('says the phase while running, the same for every step of it', () => {
    expect(runAnnouncement(run('running', [['image', 'running']]))).toBe('Deploy of lab: image preparation')
    const first = runAnnouncement(
      run('running', [
        ['image', 'done'],
        ['flash:a', 'running'],
      ]),
    )
    const second = runAnnouncement(
      run('running', [
        ['flash:a', 'done'],
        ['flash:b', 'running'],
      ]),
    )
    expect(first).toBe('Deploy of lab: node imaging')
    expect(second).toBe(first)
  })

  it('says how it ended', () => {
    expect(runAnnouncement(run('done', []))).toBe('Deploy of lab finished')
    expect(runAnnouncement(run('failed', [], 'Flash a failed'))).toBe('Deploy of lab failed: Flash a failed')
  })
})
