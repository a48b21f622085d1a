// One run: its state and actions above, the failures to act on, the timeline, and the log of the
// step the user opened.
import { Alert, Button, Group, Menu, SimpleGrid, Stack, Text } from '@mantine/core'
import {
  IconAlertTriangle,
  IconDownload,
  IconPlayerPlay,
  IconPlayerStop,
  IconRefresh,
} from '@tabler/icons-react'
import { useState } from 'react'
import { operationTitles, phaseTitles } from '../../../src-shared/lifecycle/plan.ts'
import type { Run } from '../../../src-shared/lifecycle/run-schema.ts'
import { call } from '../bridge/bridge.ts'
import { useConfirmation } from '../common/use-confirmation.tsx'
import { LiveAnnouncement } from '../common/live-announcement.tsx'
import { cancelRunConfirmation, exportReport, runAction } from './run-actions.ts'
import { runAnnouncement } from './run-announcement.ts'
import { RunStateBadge } from './run-state-badge.tsx'
import { RunTimeline, TimelineLegend } from './run-timeline.tsx'
import { StepLogDrawer } from './step-log-drawer.tsx'
import { resumableRunStates } from './step-states.ts'
import { formatStepDuration } from './time-scale.ts'
import { latestMoment, runElapsed } from './timeline-rows.ts'
import { useNow } from './use-run.ts'
import { useStepProgress } from './use-step-progress.ts'
import { StepFlashProgress } from './step-flash-progress.tsx'
import { estimateRunSecondsLeft } from '../../../src-shared/lifecycle/run-eta.ts'
import { inWords } from '../common/error-words.ts'
import { HostKeyTrust } from './host-key-trust.tsx'

export interface RunPanelProps {
  run: Run
  /** Resuming or retrying may answer with another run; the view follows it. */
  onOpenRun(runId: string): void
}

export function RunPanel({ run, onOpenRun }: RunPanelProps) {
  const running = run.state === 'running'
  // The clock ticks twice a second; a snapshot may already hold a later moment than the last tick.
  const tick = useNow(running)
  const now = running ? Math.max(tick, latestMoment(run)) : tick
  const [openStep, setOpenStep] = useState<string>()
  const flashes = useStepProgress(running ? run.id : undefined)
  const secondsLeft = estimateRunSecondsLeft(run, now, flashes)
  const flashing = run.plan.steps.filter(
    (step) =>
      flashes[step.id] && run.steps.some((state) => state.stepId === step.id && state.state === 'running'),
  )
  const { ask, modal } = useConfirmation()
  const failed = run.steps.filter((step) => step.state === 'failed')
  const titleOf = (stepId: string) => run.plan.steps.find((step) => step.id === stepId)?.title ?? stepId
  const follow = (next: Run) => next.id !== run.id && onOpenRun(next.id)
  const retry = (stepId: string) =>
    void runAction(async () => follow(await call('lifecycle.retryStep', { runId: run.id, stepId })))

  return (
    <Stack gap="sm" data-testid="run-panel" data-run-id={run.id} data-run-state={run.state}>
      <Group justify="space-between" align="flex-start">
        <Stack gap={2}>
          <Group gap="sm">
            <Text fw={700} size="lg">
              {operationTitles[run.operation]} run of {new Date(run.createdAt).toLocaleString()}
            </Text>
            <RunStateBadge state={run.state} size="lg" />
          </Group>
          <Text size="sm" c="dimmed" data-testid="run-summary">
            Through {phaseTitles[run.throughPhase].toLowerCase()} · {running ? 'running for ' : 'took '}
            {formatStepDuration(runElapsed(run, now))}
            {secondsLeft !== null && (
              <span data-testid="run-eta"> · about {formatStepDuration(secondsLeft * 1000)} left</span>
            )}
            {run.message && ` · ${inWords(run.message)}`}
          </Text>
        </Stack>
        <Group gap="xs">
          {running && (
            <Button
              color="red"
              variant="light"
              leftSection={<IconPlayerStop size={16} />}
              onClick={() => ask(cancelRunConfirmation(run))}
            >
              Cancel run
            </Button>
          )}
          {resumableRunStates.includes(run.state) && (
            <Button
              leftSection={<IconPlayerPlay size={16} />}
              onClick={() =>
                void runAction(async () => follow(await call('lifecycle.resume', { runId: run.id })))
              }
            >
              Resume
            </Button>
          )}
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <Button variant="default" leftSection={<IconDownload size={16} />}>
                Export report
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item onClick={() => void exportReport(run, 'markdown')}>Markdown (.md)</Menu.Item>
              <Menu.Item onClick={() => void exportReport(run, 'html')}>HTML (.html)</Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </Group>

      {failed.length > 0 && (
        <Alert
          color="red"
          icon={<IconAlertTriangle size={18} />}
          title="Failed steps"
          data-testid="failed-steps"
        >
          <Stack gap={6}>
            {failed.map((step) => (
              <Stack key={step.stepId} gap={4}>
                <Group justify="space-between" wrap="nowrap" gap="sm">
                  <Text size="sm">
                    <b>{titleOf(step.stepId)}</b>
                    {step.message && `: ${inWords(step.message)}`}
                  </Text>
                  <Group gap={4} wrap="nowrap">
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      color="red"
                      onClick={() => setOpenStep(step.stepId)}
                    >
                      Log
                    </Button>
                    <Button
                      size="compact-xs"
                      variant="light"
                      color="red"
                      leftSection={<IconRefresh size={12} />}
                      onClick={() => retry(step.stepId)}
                    >
                      Retry
                    </Button>
                  </Group>
                </Group>
                <HostKeyTrust run={run} step={step} onRetry={() => retry(step.stepId)} />
              </Stack>
            ))}
          </Stack>
        </Alert>
      )}

      {flashing.length > 0 && (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xs" data-testid="run-flashes">
          {flashing.map((step) => (
            <StepFlashProgress key={step.id} step={step} flash={flashes[step.id]!} />
          ))}
        </SimpleGrid>
      )}
      <LiveAnnouncement>{runAnnouncement(run)}</LiveAnnouncement>
      <RunTimeline run={run} now={now} flashes={flashes} onOpenStep={setOpenStep} />
      <TimelineLegend />
      <StepLogDrawer
        run={run}
        stepId={openStep}
        now={now}
        onRetry={retry}
        onClose={() => setOpenStep(undefined)}
      />
      {modal}
    </Stack>
  )
}
