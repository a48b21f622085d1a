// The phases of one flash as a row of badges: done ones ticked, the current one filled, a failed
// one red. Verify and power-on appear only when the flash includes them.
import { Badge, Group } from '@mantine/core'
import { IconCheck, IconX } from '@tabler/icons-react'
import type { FlashJob, FlashPhase } from '../../../src-shared/flash/flash-schemas.ts'

const labels: Partial<Record<FlashPhase, string>> = {
  preparing: 'Prepare',
  writing: 'Write',
  verifying: 'Verify',
  'powering-on': 'Power on',
  done: 'Done',
}

type StepState = 'done' | 'active' | 'failed' | 'pending'

export function flashSteps(job: Pick<FlashJob, 'verify' | 'powerOnAfter'>): FlashPhase[] {
  return [
    'preparing',
    'writing',
    ...(job.verify ? (['verifying'] as const) : []),
    ...(job.powerOnAfter ? (['powering-on'] as const) : []),
    'done',
  ]
}

function stepStates(job: FlashJob): StepState[] {
  const steps = flashSteps(job)
  if (job.phase === 'done') return steps.map(() => 'done')
  const stoppedAt = job.phase === 'failed' || job.phase === 'cancelled' ? job.failedPhase : job.phase
  const current = stoppedAt ? steps.indexOf(stoppedAt) : -1
  return steps.map((_, index) => {
    if (index < current) return 'done'
    if (index > current) return 'pending'
    return job.phase === 'failed' || job.phase === 'cancelled' ? 'failed' : 'active'
  })
}

export function FlashPhaseBadges({ job }: { job: FlashJob }) {
  const states = stepStates(job)
  return (
    <Group gap={4} data-testid="flash-phases">
      {flashSteps(job).map((phase, index) => {
        const state = states[index] ?? 'pending'
        return (
          <Badge
            key={phase}
            size="xs"
            radius="sm"
            data-testid={`flash-phase-${phase}`}
            data-state={state}
            color={state === 'failed' ? 'red' : state === 'pending' ? 'gray' : 'teal'}
            variant={
              state === 'active' || state === 'failed' ? 'filled' : state === 'done' ? 'light' : 'outline'
            }
            leftSection={
              state === 'done' ? (
                <IconCheck size={10} />
              ) : state === 'failed' ? (
                <IconX size={10} />
              ) : undefined
            }
          >
            {labels[phase]}
          </Badge>
        )
      })}
    </Group>
  )
}
