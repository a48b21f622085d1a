// The day-2 operations started from the cluster page (docs/upgrades.md, docs/backups.md,
// docs/destroy.md): each run opens on its profile's timeline, like a deploy; the secrets export is
// no run and stays on the page.
import { Button, Group } from '@mantine/core'
import { IconArrowUpCircle, IconDatabaseExport, IconLock, IconTrash } from '@tabler/icons-react'
import { useState } from 'react'
import type { ClusterRecord } from '../../../src-shared/clusters/cluster-schema.ts'
import type { Run } from '../../../src-shared/lifecycle/run-schema.ts'
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
}

export function ClusterOperations({ profile, record, onStarted }: ClusterOperationsProps) {
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

  return (
    <Group gap="xs" data-testid="cluster-operations">
      <Button
        variant="default"
        leftSection={<IconDatabaseExport size={16} />}
        loading={backingUp}
        onClick={() => void backUp()}
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
      >
        Upgrade…
      </Button>
      <Button
        color="red"
        variant="outline"
        leftSection={<IconTrash size={16} />}
        onClick={() => setDialog('destroy')}
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
  )
}
