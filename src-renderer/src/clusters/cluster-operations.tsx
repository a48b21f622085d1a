// The day-2 operations started from the cluster page (docs/upgrades.md, docs/backups.md,
// docs/destroy.md): each run opens on its profile's timeline, like a deploy; the secrets export is
// no run and stays on the page. While a run of the profile is in progress the engine would refuse
// another, so the buttons that start one are disabled, with the reason and a link to that run.
import { Anchor, Button, Group, Stack, Text } from '@mantine/core'
import { IconArrowUpCircle, IconDatabaseExport, IconLock, IconTrash } from '@tabler/icons-react'
import { useState } from 'react'
import type { ClusterRecord } from '../../../src-shared/clusters/cluster-schema.ts'
import { operationTitles } from '../../../src-shared/lifecycle/plan.ts'
import type { Run, RunSummary } from '../../../src-shared/lifecycle/run-schema.ts'
import type { SavedProfile } from '../../../src-shared/profiles/profile-schema.ts'
import { call } from '../bridge/bridge.ts'
import { notifyFailure } from '../common/notify-failure.ts'
import { DestroyModal } from '../lifecycle/destroy-modal.tsx'
import { ExportSecretsModal } from './export-secrets-modal.tsx'
import { UpgradeModal } from './upgrade-modal.tsx'

type Dialog = 'upgrade' | 'export' | 'destroy'

export interface ClusterOperationsProps {
  profile: SavedProfile
  record: ClusterRecord
  /** Shows the run just started on its profile's timeline. */
  onStarted(run: Run): void
  /** The profile's run in progress, if any: no other starts until it ends. */
  activeRun: RunSummary | undefined
  /** Opens a run on its profile's timeline. */
  onOpenRun(runId: string): void
}

/** The id of the sentence saying why the day-2 buttons are disabled (their aria-describedby). */
export const runInProgressId = 'day2-run-in-progress'

/** Why no day-2 run can start now, with a link to the run in progress. */
function RunInProgress({ run, onOpenRun }: { run: RunSummary; onOpenRun(runId: string): void }) {
  return (
    <Text size="sm" c="dimmed" id={runInProgressId} data-testid="run-in-progress">
      {operationTitles[run.operation]} of {run.profileName} in progress (started{' '}
      {new Date(run.createdAt).toLocaleTimeString()}): another operation can start once it ends.{' '}
      <Anchor component="button" type="button" size="sm" onClick={() => onOpenRun(run.id)}>
        Open the run
      </Anchor>
    </Text>
  )
}

export function ClusterOperations({
  profile,
  record,
  onStarted,
  activeRun,
  onOpenRun,
}: ClusterOperationsProps) {
  const [dialog, setDialog] = useState<Dialog>()
  const [backingUp, setBackingUp] = useState(false)
  const close = () => setDialog(undefined)

  async function backUp() {
    setBackingUp(true)
    try {
      onStarted(await call('lifecycle.start', { profile: profile.id, operation: 'backup' }))
    } catch (error) {
      notifyFailure(error)
    } finally {
      setBackingUp(false)
    }
  }

  const blocked = activeRun ? { disabled: true, 'aria-describedby': runInProgressId } : {}

  return (
    <Stack gap={4}>
      <Group gap="xs" data-testid="cluster-operations">
        <Button
          variant="default"
          leftSection={<IconDatabaseExport size={16} />}
          loading={backingUp}
          onClick={() => void backUp()}
          {...blocked}
        >
          Back up now
        </Button>
        <Button variant="default" leftSection={<IconLock size={16} />} onClick={() => setDialog('export')}>
          Export secrets…
        </Button>
        <Button
          variant="default"
          leftSection={<IconArrowUpCircle size={16} />}
          onClick={() => setDialog('upgrade')}
          {...blocked}
        >
          Upgrade…
        </Button>
        <Button
          color="red"
          variant="outline"
          leftSection={<IconTrash size={16} />}
          onClick={() => setDialog('destroy')}
          {...blocked}
        >
          Destroy…
        </Button>
        <ExportSecretsModal
          clusterName={profile.name}
          clusterId={record.id}
          opened={dialog === 'export'}
          onClose={close}
        />
        <UpgradeModal
          profile={profile}
          record={record}
          opened={dialog === 'upgrade'}
          onClose={close}
          onStarted={onStarted}
        />
        <DestroyModal profile={profile} opened={dialog === 'destroy'} onClose={close} onStarted={onStarted} />
      </Group>
      {activeRun && <RunInProgress run={activeRun} onOpenRun={onOpenRun} />}
    </Stack>
  )
}
