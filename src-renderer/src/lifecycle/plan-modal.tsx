// The dry run: the plan the profile compiles to, phase by phase, with what each step waits for and
// which phases this version of Clusterdeck can run yet. Nothing is touched.
import { Button, Group, Loader, Modal, SegmentedControl, Stack, Text } from '@mantine/core'
import { IconRocket } from '@tabler/icons-react'
import { useState } from 'react'
import { operationIds, operationTitles, type OperationId } from '../../../src-shared/lifecycle/plan.ts'
import { FailureAlert } from '../common/failure-alert.tsx'
import { PlanPhases } from './plan-phases.tsx'
import { usePlan } from './use-plan.ts'

export interface PlanModalProps {
  profileId: string
  profileName: string
  opened: boolean
  onClose(): void
  onDeploy(): void
  onDestroy(): void
}

export function PlanModal({ profileId, profileName, opened, onClose, onDeploy, onDestroy }: PlanModalProps) {
  const [operation, setOperation] = useState<OperationId>('deploy')
  const { plan, failure } = usePlan(profileId, opened, operation)
  return (
    <Modal opened={opened} onClose={onClose} title={`Dry run of ${profileName}`} size="80rem" centered>
      <Stack data-testid="plan-view">
        <SegmentedControl
          aria-label="Operation"
          data-testid="plan-operation"
          value={operation}
          onChange={(value) => setOperation(value as OperationId)}
          // A restore needs its snapshot named: it is planned from the CLI (docs/backups.md).
          data={operationIds
            .filter((id) => id !== 'restore')
            .map((id) => ({ value: id, label: operationTitles[id] }))}
        />
        <Text size="sm" c="dimmed">
          The steps {operation === 'upgrade' ? 'an' : 'a'} {operationTitles[operation].toLowerCase()} takes,
          in order. Steps that do not wait for each other run at the same time; steps sharing a board, a node
          or the cluster run one after another.
        </Text>
        {failure && <FailureAlert failure={failure} />}
        {!plan && !failure && <Loader />}
        {plan?.refusal && <FailureAlert failure={plan.refusal} data-testid="plan-refusal" />}
        {plan && <PlanPhases plan={plan} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Close
          </Button>
          {operation === 'deploy' && (
            <Button leftSection={<IconRocket size={16} />} disabled={!plan} onClick={onDeploy}>
              Deploy…
            </Button>
          )}
          {operation === 'destroy' && (
            <Button color="red" disabled={!plan} onClick={onDestroy}>
              Destroy…
            </Button>
          )}
        </Group>
      </Stack>
    </Modal>
  )
}
