import { Badge, type BadgeProps } from '@mantine/core'
import type { RunState, StepState } from '../../../src-shared/lifecycle/run-schema.ts'
import { runLooks, stepLooks } from './step-states.ts'

export function RunStateBadge({ state, ...props }: { state: RunState } & BadgeProps) {
  return (
    <Badge
      color={runLooks[state].color}
      variant="light"
      data-testid="run-state"
      data-state={state}
      {...props}
    >
      {runLooks[state].label}
    </Badge>
  )
}

export function StepStateBadge({ state, ...props }: { state: StepState } & BadgeProps) {
  return (
    <Badge
      color={stepLooks[state].color}
      variant="light"
      data-testid="step-state"
      data-state={state}
      {...props}
    >
      {stepLooks[state].label}
    </Badge>
  )
}
