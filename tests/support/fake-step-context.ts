// A StepContext for unit tests of step executors: the step from the profile's real plan, outputs
// of earlier steps given by the test, sealed files in a map, and the log and registered secrets kept
// for assertions.
import { AppError } from '../../src-shared/contract/app-error.ts'
import { compilePlan } from '../../src-shared/lifecycle/compile-plan.ts'
import type { OperationId, OperationOptions, PlanStepOf, StepKind } from '../../src-shared/lifecycle/plan.ts'
import type { ClusterProfile } from '../../src-shared/profiles/profile-schema.ts'
import type { StepContext } from '../../src-main/lifecycle/step-executor.ts'

export interface FakeStepContext<K extends StepKind> extends StepContext<K> {
  readonly lines: string[]
  readonly secrets: Set<string>
  readonly files: Map<string, string>
  readonly outputs: Map<string, Record<string, unknown>>
  readonly controller: AbortController
}

export function fakeStepContext<K extends StepKind>(
  profile: ClusterProfile,
  stepId: string,
  kind: K,
  options: {
    outputs?: Record<string, Record<string, unknown>>
    sealed?: Record<string, string>
    confirmations?: string[]
    /** The operation whose plan holds the step (default: deploy), and its options. */
    operation?: OperationId
    operationOptions?: OperationOptions
  } = {},
): FakeStepContext<K> {
  const step = compilePlan(profile, options.operation, options.operationOptions).steps.find(
    (candidate) => candidate.id === stepId,
  )
  if (!step || step.kind !== kind) throw new Error(`the plan has no ${kind} step ${stepId}`)
  const lines: string[] = []
  const secrets = new Set<string>()
  const files = new Map(Object.entries(options.sealed ?? {}))
  const outputs = new Map(Object.entries(options.outputs ?? {}))
  const controller = new AbortController()
  return {
    runId: 'run-1',
    runCreatedAt: '2026-12-02T00:00:00Z',
    step: step as PlanStepOf<K>,
    profile,
    signal: controller.signal,
    log: (line) => void lines.push(line),
    secret: (value) => void secrets.add(value),
    outputOf: (id) => outputs.get(id),
    confirmations: options.confirmations ?? [],
    sealed: {
      async seal(name, value) {
        secrets.add(value)
        files.set(name, value)
      },
      async open(name) {
        const value = files.get(name)
        if (value === undefined) throw new AppError('not_found', `no sealed secret "${name}"`)
        secrets.add(value)
        return value
      },
    },
    lines,
    secrets,
    files,
    outputs,
    controller,
  }
}
