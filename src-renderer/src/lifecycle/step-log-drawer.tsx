// One step's log beside the timeline: what it did, line by line as it happens, how it ended, and
// Retry when it failed.
import { Button, Code, Drawer, Group, Loader, ScrollArea, Stack, Text } from '@mantine/core'
import { IconRefresh } from '@tabler/icons-react'
import { useEffect, useRef } from 'react'
import type { Run } from '../../../src-shared/lifecycle/run-schema.ts'
import { FailureAlert } from '../common/failure-alert.tsx'
import { ConfirmPhraseRetry } from './confirm-phrase-retry.tsx'
import { StepStateBadge } from './run-state-badge.tsx'
import { formatStepDuration } from './time-scale.ts'
import { useStepLog } from './use-step-log.ts'
import { inWords } from '../common/error-words.ts'

export interface StepLogDrawerProps {
  run: Run
  stepId: string | undefined
  now: number
  /** `confirm`: the phrase a step asked for, typed by the user. */
  onRetry(stepId: string, confirm?: string): void
  onClose(): void
}

export function StepLogDrawer({ run, stepId, now, onRetry, onClose }: StepLogDrawerProps) {
  const plan = run.plan.steps.find((step) => step.id === stepId)
  const state = run.steps.find((step) => step.stepId === stepId)
  const { lines, failure } = useStepLog(run.id, stepId)
  const viewport = useRef<HTMLDivElement>(null)
  const following = useRef(true)

  // Keep the newest line in view, unless the user scrolled up to read.
  useEffect(() => {
    const element = viewport.current
    if (element && following.current) element.scrollTop = element.scrollHeight
  }, [lines])

  const duration =
    state?.startedAt && (state.finishedAt ? Date.parse(state.finishedAt) : now) - Date.parse(state.startedAt)
  return (
    <Drawer
      opened={stepId !== undefined}
      onClose={onClose}
      position="right"
      size="xl"
      title={<Text fw={700}>{plan?.title ?? stepId}</Text>}
      data-testid="step-log-drawer"
    >
      <Stack gap="sm" data-step-id={stepId}>
        {state && (
          <Group gap="sm">
            <StepStateBadge state={state.state} />
            {typeof duration === 'number' && <Text size="sm">{formatStepDuration(duration)}</Text>}
            {state.startedAt && (
              <Text size="sm" c="dimmed">
                started {new Date(state.startedAt).toLocaleTimeString()}
              </Text>
            )}
            {state.attempts > 1 && (
              <Text size="sm" c="dimmed">
                attempt {state.attempts}
              </Text>
            )}
            {state.state === 'failed' && stepId && !state.confirmPhrase && (
              <Button
                size="xs"
                variant="light"
                leftSection={<IconRefresh size={14} />}
                ml="auto"
                onClick={() => onRetry(stepId)}
              >
                Retry this step
              </Button>
            )}
          </Group>
        )}
        {state?.message && (
          <Text size="sm" c={state.state === 'failed' ? 'red' : 'dimmed'} data-testid="step-message">
            {inWords(state.message)}
          </Text>
        )}
        {state?.state === 'failed' && state.confirmPhrase && stepId && (
          <ConfirmPhraseRetry phrase={state.confirmPhrase} onRetry={(confirm) => onRetry(stepId, confirm)} />
        )}
        {failure && <FailureAlert failure={failure} />}
        {!lines && !failure && <Loader size="sm" />}
        {lines && (
          <ScrollArea.Autosize
            mah="calc(100vh - 220px)"
            viewportRef={viewport}
            onScrollPositionChange={({ y }) => {
              const element = viewport.current
              if (element) following.current = y + element.clientHeight >= element.scrollHeight - 8
            }}
          >
            <Code block data-testid="step-log" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
              {lines.length > 0 ? lines.join('\n') : 'Nothing logged yet.'}
            </Code>
          </ScrollArea.Autosize>
        )}
      </Stack>
    </Drawer>
  )
}
