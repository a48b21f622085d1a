import { describe, expect, it } from 'vitest'
import { compilePlan } from '../../../src-shared/lifecycle/compile-plan.ts'
import type { OperationId } from '../../../src-shared/lifecycle/plan.ts'
import type { Run, RunStep, StepState } from '../../../src-shared/lifecycle/run-schema.ts'
import { profileFromTemplate } from '../../../src-shared/profiles/profile-templates.ts'
import { earlierSpans, phaseState, runElapsed, stepSpan, timelineSections } from './timeline-rows.ts'

const start = Date.parse('2026-11-22T10:00:00Z')
const at = (seconds: number) => new Date(start + seconds * 1000).toISOString()

const profile = profileFromTemplate('talos-rk1-longhorn', { name: 'homelab', board: 'rack-1' })

function runOf(
  states: Record<string, Partial<RunStep>>,
  fallback: StepState = 'not-run',
  operation: OperationId = 'deploy',
): Run {
  const plan = compilePlan(profile, operation)
  return {
    id: 'run-1',
    operation,
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
      state: fallback,
      attempts: 0,
      startedAt: null,
      finishedAt: null,
      message: null,
      earlierAttempts: [],
      ...states[step.id],
    })),
  }
}

describe('timeline layout', () => {
  it('draws a section per phase, a row per node in node phases and a row per cluster-wide step', () => {
    const sections = timelineSections(runOf({}))
    expect(sections.map((section) => section.phase)).toEqual([
      'image-preparation',
      'node-imaging',
      'cluster-bootstrap',
      'addon-deployment',
      'ready',
    ])
    const imaging = sections[1]!
    expect(imaging.rows.map((row) => row.label)).toEqual([
      'turing-cp1',
      'turing-w1',
      'turing-w2',
      'turing-w3',
    ])
    expect(imaging.rows[1]?.detail).toBe('rack-1 · slot 2')
    expect(imaging.rows[1]?.steps.map((step) => step.plan.kind)).toEqual(['node.flash', 'node.wait-boot'])
    const bootstrap = sections[2]!
    expect(bootstrap.rows.filter((row) => row.node).map((row) => row.label)).toEqual([
      'turing-cp1',
      'turing-w1',
      'turing-w2',
      'turing-w3',
    ])
    expect(bootstrap.rows.some((row) => row.label === 'Generate the cluster secrets')).toBe(true)
    expect(bootstrap.notRun).toBe(true)
  })

  it('draws a destroy of the same profile with its own phases, a row per node where steps act on one', () => {
    const deploy = timelineSections(runOf({}))
    const destroy = timelineSections(
      runOf(
        { 'uninstall:portainer': { state: 'failed', startedAt: at(1), finishedAt: at(1) } },
        'pending',
        'destroy',
      ),
    )
    expect(destroy.map((section) => [section.phase, section.title])).toEqual([
      ['uninstall-addons', 'Uninstall add-ons'],
      ['reset-nodes', 'Reset nodes'],
      ['power-off', 'Power off'],
      ['forget-cluster', 'Forget the cluster'],
    ])
    expect(destroy[0]!.rows.map((row) => row.label)).toEqual([
      'Uninstall Portainer',
      'Uninstall Monitoring (kube-prometheus-stack)',
      'Uninstall Longhorn',
      'Uninstall cert-manager',
      'Uninstall Traefik',
      'Uninstall MetalLB',
    ])
    expect(destroy[1]!.rows.map((row) => row.label)).toEqual([
      'turing-w1',
      'turing-w2',
      'turing-w3',
      'turing-cp1',
    ])
    expect(destroy[2]!.rows.map((row) => [row.label, row.detail])).toEqual([
      ['turing-cp1', 'rack-1 · slot 1'],
      ['turing-w1', 'rack-1 · slot 2'],
      ['turing-w2', 'rack-1 · slot 3'],
      ['turing-w3', 'rack-1 · slot 4'],
    ])
    expect(phaseState(destroy[0]!)).toBe('failed')
    // The two operations share no section: each is drawn with its own phases.
    const deployPhases = new Set(deploy.map((section) => section.phase))
    expect(destroy.some((section) => deployPhases.has(section.phase))).toBe(false)
  })

  it('gives each phase its most telling state', () => {
    const run = runOf(
      {
        'flash:turing-cp1': { state: 'done', startedAt: at(1), finishedAt: at(5) },
        'flash:turing-w1': { state: 'running', startedAt: at(5) },
        'flash:turing-w2': { state: 'pending' },
      },
      'not-run',
    )
    const [, imaging, bootstrap] = timelineSections(run)
    expect(phaseState(imaging!)).toBe('running')
    expect(phaseState(bootstrap!)).toBe('not-run')
  })

  it('measures bars from the run start, a running one up to now', () => {
    const now = start + 12_000
    expect(stepSpan({ ...runOf({}).steps[0]!, startedAt: at(2), finishedAt: at(7) }, start, now)).toEqual({
      from: 2000,
      to: 7000,
    })
    expect(stepSpan({ ...runOf({}).steps[0]!, startedAt: at(3) }, start, now)).toEqual({
      from: 3000,
      to: 12_000,
    })
    expect(stepSpan(runOf({}).steps[0]!, start, now)).toBeNull()
    expect(runElapsed(runOf({}), now)).toBe(12_000)
  })

  it('keeps the earlier attempts of a retried step, and the run ends after the latest of them', () => {
    const retried = {
      state: 'pending' as const,
      attempts: 1,
      earlierAttempts: [
        { attempt: 1, state: 'failed' as const, startedAt: at(1), finishedAt: at(4), message: 'USB broke' },
      ],
    }
    const run = { ...runOf({ 'flash:turing-cp1': retried }), state: 'failed' as const }
    const step = run.steps.find((s) => s.stepId === 'flash:turing-cp1')!
    expect(stepSpan(step, start, start + 9000)).toBeNull()
    expect(earlierSpans(step, start)).toEqual([{ attempt: retried.earlierAttempts[0], from: 1000, to: 4000 }])
    expect(runElapsed(run, start + 60_000)).toBe(4000)
  })
})
