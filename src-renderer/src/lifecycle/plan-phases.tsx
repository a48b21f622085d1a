// The phases of a plan as the dry run shows them: each step, the node it acts on, what it waits for
// and the shared resource it holds, with the phases this version cannot run yet set apart.
import { Badge, Card, Group, Table, Text } from '@mantine/core'
import {
  phaseTitles,
  planPhases,
  slotOf,
  stepsOfPhase,
  type PlanStep,
} from '../../../src-shared/lifecycle/plan.ts'
import type { PlanAnswer } from './use-plan.ts'

export function PlanPhases({ plan }: { plan: PlanAnswer }) {
  const titles = new Map(plan.plan.steps.map((step) => [step.id, step.title]))
  return (
    <>
      {planPhases(plan.plan).map((phase) => {
        const steps = stepsOfPhase(plan.plan, phase)
        if (steps.length === 0) return null
        const runnable = plan.runnablePhases.includes(phase)
        return (
          <Card
            key={phase}
            withBorder
            padding="sm"
            data-testid="plan-phase"
            data-phase={phase}
            data-runnable={runnable}
            // A dashed border rather than faded text sets these phases apart: faded text falls
            // below the contrast text needs to be read.
            style={runnable ? undefined : { borderStyle: 'dashed' }}
          >
            <Group gap="sm" mb={6}>
              <Text fw={700}>{phaseTitles[phase]}</Text>
              <Text size="xs" c="dimmed">
                {steps.length} step{steps.length === 1 ? '' : 's'}
              </Text>
              {runnable ? (
                <Badge color="teal" variant="light">
                  runs in this version
                </Badge>
              ) : (
                <Badge color="gray" variant="outline">
                  not in this version yet
                </Badge>
              )}
            </Group>
            <Table verticalSpacing={4} fz="sm" style={{ tableLayout: 'fixed' }}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w="40%">Step</Table.Th>
                  <Table.Th w="14%">Node</Table.Th>
                  <Table.Th>Waits for</Table.Th>
                  <Table.Th w="16%">One at a time on</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {steps.map((step) => (
                  <Table.Tr key={step.id} data-testid="plan-step" data-step-id={step.id}>
                    <Table.Td>{step.title}</Table.Td>
                    <Table.Td ff="monospace">{step.node ?? '—'}</Table.Td>
                    <Table.Td>
                      <Text size="xs" c="dimmed" lineClamp={2}>
                        {waitsFor(step, titles)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs" c="dimmed">
                        {resourceOf(step)}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Card>
        )
      })}
    </>
  )
}

function waitsFor(step: PlanStep, titles: Map<string, string>): string {
  if (step.dependsOn.length === 0) return 'nothing: starts at once'
  if (step.dependsOn.length > 3)
    return `${step.dependsOn.length} steps, e.g. ${titles.get(step.dependsOn[0] ?? '')}`
  return step.dependsOn.map((id) => titles.get(id) ?? id).join('; ')
}

/** The shared resources as the user names them: the board's own name rather than the lock's key. */
function resourceOf(step: PlanStep): string {
  if (step.resources.length === 0) return '—'
  return step.resources
    .map((resource) =>
      resource.startsWith('board:')
        ? `board ${slotOf(step)?.board ?? resource.slice('board:'.length)}`
        : resource.startsWith('node:')
          ? `node ${resource.slice('node:'.length)}`
          : 'the cluster',
    )
    .join(', ')
}
