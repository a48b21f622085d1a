// Deploying overwrites every node's eMMC, so it is confirmed with the nodes named, and with the
// phase the run goes through.
import { Loader, Select, Table, Text } from '@mantine/core'
import { useEffect, useState } from 'react'
import { phaseTitles, type PhaseId } from '../../../src-shared/lifecycle/plan.ts'
import type { Run } from '../../../src-shared/lifecycle/run-schema.ts'
import type { SavedProfile } from '../../../src-shared/profiles/profile-schema.ts'
import { call } from '../bridge/bridge.ts'
import { ConfirmModal } from '../common/confirm-modal.tsx'
import { FailureAlert } from '../common/failure-alert.tsx'
import { notifyFailure } from '../common/notify-failure.ts'
import { throughPhaseChoices } from './run-actions.ts'
import { usePlan } from './use-plan.ts'

export interface DeployModalProps {
  profile: SavedProfile
  opened: boolean
  onClose(): void
  onStarted(run: Run): void
}

export function DeployModal({ profile, opened, onClose, onStarted }: DeployModalProps) {
  const { plan, failure } = usePlan(profile.id, opened)
  const [through, setThrough] = useState<PhaseId>()
  const runnable = plan?.runnablePhases ?? []
  useEffect(() => setThrough(plan?.runnablePhases.at(-1)), [plan])
  const nodes = [...profile.profile.nodes].sort((a, b) => a.board.localeCompare(b.board) || a.slot - b.slot)

  async function deploy() {
    try {
      onStarted(await call('lifecycle.deploy', { profile: profile.id, throughPhase: through }))
    } catch (error) {
      notifyFailure(error)
    }
  }

  return (
    <ConfirmModal
      opened={opened}
      title={`Deploy ${profile.name}?`}
      confirmLabel="Deploy"
      keepLabel="Not now"
      color="red"
      onConfirm={deploy}
      onClose={onClose}
    >
      <Text size="sm">
        Deploying <b>overwrites the eMMC</b> of every node in the profile. Whatever is installed on them now
        is lost:
      </Text>
      <Table verticalSpacing={4} fz="sm" data-testid="deploy-nodes">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Node</Table.Th>
            <Table.Th>Board</Table.Th>
            <Table.Th>Slot</Table.Th>
            <Table.Th>Address</Table.Th>
            <Table.Th>Disk</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {nodes.map((node) => (
            <Table.Tr key={node.hostname} data-testid="deploy-node">
              <Table.Td ff="monospace" fw={600}>
                {node.hostname}
              </Table.Td>
              <Table.Td>{node.board}</Table.Td>
              <Table.Td>{node.slot}</Table.Td>
              <Table.Td ff="monospace">{node.address}</Table.Td>
              <Table.Td ff="monospace">{node.installDisk}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {failure && <FailureAlert failure={failure} />}
      {!plan && !failure && <Loader size="sm" />}
      {plan && (
        <Select
          label="Go as far as"
          description="Later phases come in later versions of Clusterdeck"
          data={throughPhaseChoices(runnable, phaseTitles)}
          allowDeselect={false}
          value={through ?? null}
          onChange={(value) => setThrough((value ?? undefined) as PhaseId | undefined)}
          comboboxProps={{ withinPortal: true }}
          name="through-phase"
        />
      )}
    </ConfirmModal>
  )
}
