import { describe, expect, it } from 'vitest'
import { profileFromTemplate } from '../profiles/profile-templates.ts'
import { compilePlan } from './compile-plan.ts'
import type { Run, RunStep, StepState } from './run-schema.ts'
import {
  estimateRunSecondsLeft,
  flashSecondsLeft,
  typicalStepSeconds,
  type FlashStepProgress,
} from './run-eta.ts'

const start = Date.parse('2026-11-22T10:00:00Z')
const at = (seconds: number) => new Date(start + seconds * 1000).toISOString()
const MiB = 1024 * 1024

/** The Talos template on one board, run through node imaging: image, then 4 × (flash, boot). */
function runOf(states: Record<string, Partial<RunStep>>, fallback: StepState = 'pending'): Run {
  const plan = compilePlan(profileFromTemplate('talos-rk1-longhorn', { name: 'homelab', board: 'rack-1' }))
  return {
    id: 'run-1',
    operation: 'deploy',
    profileId: 'p-1',
    profileName: 'homelab',
    distribution: 'talos',
    plan,
    throughPhase: 'node-imaging',
    state: 'running',
    createdAt: at(0),
    finishedAt: null,
    message: null,
    steps: plan.steps.map((step) => ({
      stepId: step.id,
      state: step.phase === 'image-preparation' || step.phase === 'node-imaging' ? fallback : 'not-run',
      attempts: 0,
      startedAt: null,
      finishedAt: null,
      message: null,
      earlierAttempts: [],
      ...states[step.id],
    })),
  }
}

const writing = (bytesDone: number, bytesPerSecond: number): FlashStepProgress => ({
  phase: 'writing',
  progress: { bytesDone, bytesTotal: 100 * MiB, bytesPerSecond, etaSeconds: null },
  verify: true,
  imageSizeBytes: 100 * MiB,
})

describe('flash time left', () => {
  it('counts the bytes left plus the read-back pass while writing, only the bytes left while verifying', () => {
    expect(flashSecondsLeft(writing(40 * MiB, 10 * MiB))).toBe(6 + 10 + 5)
    expect(flashSecondsLeft({ ...writing(40 * MiB, 10 * MiB), verify: false })).toBe(6 + 5)
    expect(flashSecondsLeft({ ...writing(40 * MiB, 10 * MiB), phase: 'verifying' })).toBe(6 + 5)
    expect(flashSecondsLeft(writing(0, 0))).toBeNull()
  })
})

describe('run time left', () => {
  it('is null for a run that is not running', () => {
    expect(estimateRunSecondsLeft({ ...runOf({}), state: 'done' }, start, {})).toBeNull()
  })

  it('lays out typical durations: image, then four flashes one after another (one board), the last boot after the last flash', () => {
    const left = estimateRunSecondsLeft(runOf({}), start, {})
    const { 'image.prepare': image, 'node.flash': flash, 'node.wait-boot': boot } = typicalStepSeconds
    expect(left).toBe(image + 4 * flash + boot)
  })

  it('uses the running flash for its own time and, at its rate, for the flashes still to come; finished boots set the boot time', () => {
    const run = runOf({
      'image:talos-longhorn-turing-rk1': { state: 'done', startedAt: at(0), finishedAt: at(10) },
      'flash:turing-cp1': { state: 'done', startedAt: at(10), finishedAt: at(40) },
      'boot:turing-cp1': { state: 'done', startedAt: at(40), finishedAt: at(60) },
      'flash:turing-w1': { state: 'running', startedAt: at(40) },
    })
    // Finished flashes took 30 s: that is what the later ones are expected to take.
    const left = estimateRunSecondsLeft(run, start + 50_000, {
      'flash:turing-w1': writing(60 * MiB, 10 * MiB),
    })
    // w1: 4 s + 10 s read-back + 5 s = 19; w2, w3: 30 each after it; the last boot 20 s after w3.
    expect(left).toBe(19 + 30 + 30 + 20)
  })

  it('without a finished flash, expects the next flashes to take as long as the running one in full', () => {
    const run = runOf({
      'image:talos-longhorn-turing-rk1': { state: 'done', startedAt: at(0), finishedAt: at(10) },
      'flash:turing-cp1': { state: 'running', startedAt: at(10) },
    })
    const left = estimateRunSecondsLeft(run, start + 20_000, {
      'flash:turing-cp1': writing(50 * MiB, 10 * MiB),
    })
    const full = 10 + 10 + 5
    expect(left).toBe(5 + 10 + 5 + 3 * full + typicalStepSeconds['node.wait-boot'])
  })
})
