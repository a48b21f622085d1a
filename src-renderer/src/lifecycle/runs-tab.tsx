// A profile's deployments: the open run's timeline, then the history to open any other.
import { Card, Loader, Stack, Text, Title } from '@mantine/core'
import { FailureAlert } from '../common/failure-alert.tsx'
import { RunHistory } from './run-history.tsx'
import { RunPanel } from './run-panel.tsx'
import { useRun } from './use-run.ts'
import type { RunsState } from './use-runs.ts'

export interface RunsTabProps {
  runs: RunsState
  /** The run shown; the newest when none was chosen. */
  runId: string | undefined
  onOpenRun(runId: string): void
}

export function RunsTab({ runs, runId, onOpenRun }: RunsTabProps) {
  const shownId = runId ?? runs.runs?.[0]?.id
  const { run, failure } = useRun(shownId)
  if (runs.failure) return <FailureAlert failure={runs.failure} />
  if (!runs.runs) return <Loader />
  if (runs.runs.length === 0)
    return (
      <Card withBorder padding="xl" data-testid="runs-empty">
        <Stack align="center" gap="xs">
          <Text fw={600}>Not deployed yet</Text>
          <Text size="sm" c="dimmed" ta="center" maw={520}>
            Use Dry run to see the plan, then Deploy. Each run shows here as a timeline, live, and stays in
            the history.
          </Text>
        </Stack>
      </Card>
    )
  return (
    <Stack gap="lg">
      {failure && <FailureAlert failure={failure} />}
      {!run && !failure && <Loader />}
      {run && <RunPanel key={run.id} run={run} onOpenRun={onOpenRun} />}
      <Stack gap="xs">
        <Title order={4}>History</Title>
        <RunHistory runs={runs.runs} openRunId={shownId} onOpen={onOpenRun} />
      </Stack>
    </Stack>
  )
}
