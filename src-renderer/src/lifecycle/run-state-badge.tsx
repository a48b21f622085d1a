import { Badge, type BadgeProps } from '@mantine/core'
import type { RunState, StepState } from '../../../src-shared/lifecycle/run-schema.ts'
import { runLooks, stepLooks, type StateLook } from './step-states.ts'

function StateBadge({
  look,
  state,
  testId,
  ...props
}: { look: StateLook; state: string; testId: string } & BadgeProps) {
  return (
    <Badge color={look.color} variant="light" data-testid={testId} data-state={state} {...props}>
      {look.label}
    </Badge>
  )
}

export function RunStateBadge({ state, ...props }: { state: RunState } & BadgeProps) {
  return <StateBadge look={runLooks[state]} state={state} testId="run-state" {...props} />
}

export function StepStateBadge({ state, ...props }: { state: StepState } & BadgeProps) {
  return <StateBadge look={stepLooks[state]} state={state} testId="step-state" {...props} />
}
