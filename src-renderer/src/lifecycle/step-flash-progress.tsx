// The flashes a run is writing now, worded as the board view words a slot's flash: a bar, bytes,
// percent, rate and time left.
import { Group, Paper, Progress, Stack, Text } from '@mantine/core'
import type { PlanStep } from '../../../src-shared/lifecycle/plan.ts'
import type { FlashStepProgress } from '../../../src-shared/lifecycle/run-eta.ts'
import { describeProgress } from '../../../src-shared/progress/progress.ts'

export function StepFlashProgress({ step, flash }: { step: PlanStep; flash: FlashStepProgress }) {
  const words = flash.progress ? describeProgress(flash.progress) : undefined
  const measuring = flash.phase === 'writing' || flash.phase === 'verifying' || flash.phase === 'preparing'
  return (
    <Paper
      withBorder
      p="xs"
      data-testid="step-flash-progress"
      data-step-id={step.id}
      data-phase={flash.phase}
    >
      <Stack gap={4}>
        <Group justify="space-between" gap="xs">
          <Text size="sm" fw={600}>
            {step.title}
          </Text>
          <Text size="xs" c="dimmed">
            {flash.phase === 'powering-on' ? 'powering on' : flash.phase}
            {words?.percent !== null &&
              words?.percent !== undefined &&
              measuring &&
              ` · ${Math.floor(words.percent)}%`}
          </Text>
        </Group>
        <Progress
          value={flash.phase === 'queued' ? 0 : measuring ? (words?.percent ?? 0) : 100}
          striped
          animated
          color={flash.phase === 'verifying' ? 'blue' : 'teal'}
          aria-label={`${step.title}: ${flash.phase}`}
        />
        <Group justify="space-between" gap="xs">
          <Text size="xs" data-testid="step-flash-bytes">
            {flash.phase === 'queued'
              ? 'Waiting for the board’s transfer slot'
              : measuring
                ? (words?.bytes ?? '')
                : ''}
          </Text>
          {measuring && words?.rate && (
            <Text size="xs" c="dimmed" data-testid="step-flash-speed">
              {words.rate}
              {words.eta && ` · ${words.eta}`}
            </Text>
          )}
        </Group>
      </Stack>
    </Paper>
  )
}
