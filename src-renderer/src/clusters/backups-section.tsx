// The etcd snapshots kept for the cluster in the data directory (docs/backups.md), newest first:
// when, from which node and version, size and sha256. Read again when a run changes the record.
// Restore… recovers the cluster from one of them.
import { Button, Code, Group, Loader, Stack, Table, Text, Title } from '@mantine/core'
import { useEffect, useState } from 'react'
import type { ClusterBackup } from '../../../src-shared/clusters/cluster-backups.ts'
import type { Run } from '../../../src-shared/lifecycle/run-schema.ts'
import type { SavedProfile } from '../../../src-shared/profiles/profile-schema.ts'
import { call, errorText } from '../bridge/bridge.ts'
import { FailureAlert } from '../common/failure-alert.tsx'
import { runInProgressId } from './cluster-operations.tsx'
import { RestoreModal } from './restore-modal.tsx'

export interface BackupsSectionProps {
  clusterId: string
  lastRunId: string | null
  /** The cluster's profile, once loaded: a restore is a run of it. */
  profile: SavedProfile | undefined
  onStarted(run: Run): void
  /** A run of the profile is in progress: Restore… waits for it (the reason is the page's, runInProgressId). */
  runInProgress: boolean
}

export function BackupsSection({
  clusterId,
  lastRunId,
  profile,
  onStarted,
  runInProgress,
}: BackupsSectionProps) {
  const [backups, setBackups] = useState<ClusterBackup[]>()
  const [restoring, setRestoring] = useState(false)
  const [failure, setFailure] = useState<{ message: string; hint?: string }>()

  useEffect(() => {
    let current = true
    call('clusters.backups', { ref: clusterId })
      .then((found) => {
        if (!current) return
        setBackups(found)
        setFailure(undefined)
      })
      .catch((error: unknown) => current && setFailure(errorText(error)))
    return () => void (current = false)
  }, [clusterId, lastRunId])

  return (
    <Stack gap="sm" component="section" aria-labelledby="backups-title">
      <Group justify="space-between">
        <Title order={3} id="backups-title">
          Backups
        </Title>
        {profile && backups && backups.length > 0 && (
          <Button
            variant="default"
            size="xs"
            onClick={() => setRestoring(true)}
            {...(runInProgress ? { disabled: true, 'aria-describedby': runInProgressId } : {})}
          >
            Restore…
          </Button>
        )}
      </Group>
      {failure && <FailureAlert failure={failure} />}
      {!backups && !failure && <Loader size="sm" aria-label="Loading the backups" />}
      {backups?.length === 0 && (
        <Text size="sm" c="dimmed">
          No etcd snapshot kept yet: Back up now takes one, and every upgrade takes one first.
        </Text>
      )}
      {backups && backups.length > 0 && (
        <Table data-testid="backups" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Taken</Table.Th>
              <Table.Th>From</Table.Th>
              <Table.Th>Size</Table.Th>
              <Table.Th>SHA-256</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {backups.map((backup) => (
              <Table.Tr key={backup.file} title={backup.file}>
                <Table.Td>{new Date(backup.takenAt).toLocaleString()}</Table.Td>
                <Table.Td>
                  {backup.node}
                  {backup.version ? ` (${backup.version})` : ''}
                </Table.Td>
                <Table.Td>{(backup.sizeBytes / 1024 / 1024).toFixed(1)} MiB</Table.Td>
                <Table.Td>
                  <Code>{backup.sha256.slice(0, 16)}…</Code>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {profile && backups && (
        <RestoreModal
          profile={profile}
          backups={backups}
          opened={restoring}
          onClose={() => setRestoring(false)}
          onStarted={onStarted}
        />
      )}
    </Stack>
  )
}
