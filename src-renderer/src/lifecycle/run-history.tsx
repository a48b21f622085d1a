// The runs of a profile, newest first; the open one is marked, any other opens with a click.
import { Group, Table, Text } from '@mantine/core'
import type { RunSummary, StepState } from '../../../src-shared/lifecycle/run-schema.ts'
import { operationTitles, phaseTitles } from '../../../src-shared/lifecycle/plan.ts'
import { RunStateBadge } from './run-state-badge.tsx'
import { stepLooks } from './step-states.ts'
import { formatStepDuration } from './time-scale.ts'

export interface RunHistoryProps {
  runs: RunSummary[]
  openRunId: string | undefined
  onOpen(runId: string): void
}

const countedStates: StepState[] = ['done', 'skipped', 'failed', 'cancelled', 'blocked']

export function RunHistory({ runs, openRunId, onOpen }: RunHistoryProps) {
  return (
    <Table highlightOnHover data-testid="run-history" verticalSpacing={6}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Started</Table.Th>
          <Table.Th>State</Table.Th>
          <Table.Th>Operation</Table.Th>
          <Table.Th>Steps</Table.Th>
          <Table.Th>Took</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {runs.map((run) => (
          <Table.Tr
            key={run.id}
            data-testid="run-history-row"
            data-run-id={run.id}
            data-state={run.state}
            data-open={run.id === openRunId}
            // The open run is marked by an edge, so its state badge keeps its own colour.
            style={{
              cursor: 'pointer',
              boxShadow:
                run.id === openRunId ? 'inset 4px 0 0 var(--mantine-primary-color-filled)' : undefined,
              fontWeight: run.id === openRunId ? 600 : undefined,
            }}
            onClick={() => onOpen(run.id)}
          >
            <Table.Td style={{ whiteSpace: 'nowrap' }}>{new Date(run.createdAt).toLocaleString()}</Table.Td>
            <Table.Td>
              <RunStateBadge state={run.state} />
            </Table.Td>
            <Table.Td>
              {operationTitles[run.operation]} through {phaseTitles[run.throughPhase].toLowerCase()}
            </Table.Td>
            <Table.Td>
              <Group gap={8}>
                {countedStates
                  .filter((state) => (run.stepCounts[state] ?? 0) > 0)
                  .map((state) => (
                    <Text
                      key={state}
                      size="xs"
                      c={stepLooks[state].color === 'gray' ? 'dimmed' : stepLooks[state].color}
                    >
                      {run.stepCounts[state]} {stepLooks[state].label}
                    </Text>
                  ))}
              </Group>
            </Table.Td>
            <Table.Td style={{ whiteSpace: 'nowrap' }}>
              {run.finishedAt
                ? formatStepDuration(Date.parse(run.finishedAt) - Date.parse(run.createdAt))
                : run.state === 'running'
                  ? 'running'
                  : '—'}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  )
}
