// A restore from one of the kept snapshots (docs/backups.md): the deploy's plan with the first
// control plane's datastore recovered from the snapshot (Talos' bootstrap, the first K3s server's
// install), so every node is imaged again. The
// dialog names the nodes and the snapshot before anything starts, the safe choice focused first.
import { List, Loader, Select, Text } from '@mantine/core'
import { useState } from 'react'
import type { ClusterBackup } from '../../../src-shared/clusters/cluster-backups.ts'
import type { Run } from '../../../src-shared/lifecycle/run-schema.ts'
import type { SavedProfile } from '../../../src-shared/profiles/profile-schema.ts'
import { call } from '../bridge/bridge.ts'
import { ConfirmModal } from '../common/confirm-modal.tsx'
import { FailureAlert } from '../common/failure-alert.tsx'
import { notifyFailure } from '../common/notify-failure.ts'
import { usePlan } from '../lifecycle/use-plan.ts'

export interface RestoreModalProps {
  profile: Pick<SavedProfile, 'id' | 'name'>
  backups: ClusterBackup[]
  opened: boolean
  onClose(): void
  onStarted(run: Run): void
}

export function RestoreModal({ profile, backups, opened, onClose, onStarted }: RestoreModalProps) {
  const [snapshot, setSnapshot] = useState<string | null>(null)
  const options = snapshot ? { restoreSnapshot: snapshot } : {}
  const { plan, failure } = usePlan(profile.id, opened && snapshot !== null, 'restore', options)
  const imaged = plan?.plan.steps.filter((step) => step.kind === 'node.flash') ?? []
  // The step that recovers the datastore: Talos' bootstrap, or the first K3s server's install.
  const bootstrap = plan?.plan.steps.find(
    (step) => step.kind === 'talos.bootstrap' || step.kind === 'k3s.install-server',
  )

  function close() {
    setSnapshot(null)
    onClose()
  }

  async function restore() {
    try {
      onStarted(await call('lifecycle.start', { profile: profile.id, operation: 'restore', options }))
    } catch (error) {
      notifyFailure(error)
    }
  }

  return (
    <ConfirmModal
      opened={opened}
      title={`Restore ${profile.name} from a snapshot?`}
      confirmLabel="Restore the cluster"
      keepLabel="Keep the cluster as it is"
      color="red"
      confirmDisabled={!snapshot || !plan || Boolean(plan.refusal)}
      onConfirm={restore}
      onClose={close}
    >
      <Text size="sm">
        A restore deploys the profile again: <b>every node’s eMMC is overwritten</b>, and the first control
        plane’s datastore comes back from the snapshot, bringing the cluster’s Kubernetes objects back.
      </Text>
      <Select
        label="Snapshot"
        placeholder="Choose a kept snapshot"
        data={backups.map((backup) => ({
          value: backup.file,
          label: `${new Date(backup.takenAt).toLocaleString()} · ${backup.node}${backup.version ? ` (${backup.version})` : ''}`,
        }))}
        value={snapshot}
        onChange={setSnapshot}
        allowDeselect={false}
        comboboxProps={{ withinPortal: true }}
      />
      {failure && <FailureAlert failure={failure} />}
      {snapshot && !plan && !failure && <Loader size="sm" aria-label="Loading the restore plan" />}
      {plan?.refusal && <FailureAlert failure={plan.refusal} data-testid="plan-refusal" />}
      {plan && (
        <List size="sm" data-testid="restore-steps">
          {imaged.map((step) => (
            <List.Item key={step.id}>{step.title}</List.Item>
          ))}
          {bootstrap && <List.Item>{bootstrap.title}</List.Item>}
        </List>
      )}
    </ConfirmModal>
  )
}
