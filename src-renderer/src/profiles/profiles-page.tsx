// The clusters this app knows, as profiles: open one to edit and deploy it, start a new one from a
// template, bring one in from YAML or take one out as YAML.
import { Badge, Button, Card, Group, Loader, Stack, Table, Text, Title } from '@mantine/core'
import { IconDownload, IconFileImport, IconPlus, IconTopologyStar3 } from '@tabler/icons-react'
import { useEffect, useState } from 'react'
import type { RunSummary } from '../../../src-shared/lifecycle/run-schema.ts'
import type { SavedProfile } from '../../../src-shared/profiles/profile-schema.ts'
import { call } from '../bridge/bridge.ts'
import { FailureAlert } from '../common/failure-alert.tsx'
import { RowActions } from '../common/row-actions.tsx'
import { useConfirmation } from '../common/use-confirmation.tsx'
import { RunStateBadge } from '../lifecycle/run-state-badge.tsx'
import { ImportProfileModal } from './import-profile-modal.tsx'
import { NewProfileModal } from './new-profile-modal.tsx'
import { exportProfileYaml, removeProfileConfirmation } from './profile-actions.ts'
import { reloadProfiles, useProfiles } from './use-profiles.ts'

export interface ProfilesPageProps {
  onOpenProfile(profile: SavedProfile): void
}

export function ProfilesPage({ onOpenProfile }: ProfilesPageProps) {
  const { profiles, error } = useProfiles()
  const [creating, setCreating] = useState(false)
  const [importing, setImporting] = useState(false)
  const lastRuns = useLastRuns()
  const { ask, modal } = useConfirmation()
  const opened = (saved: SavedProfile) => {
    setCreating(false)
    setImporting(false)
    void reloadProfiles()
    onOpenProfile(saved)
  }

  return (
    <Stack data-testid="profiles-page">
      <Group justify="space-between">
        <Title order={2}>Clusters</Title>
        <Group gap="xs">
          <Button
            variant="default"
            leftSection={<IconFileImport size={16} />}
            onClick={() => setImporting(true)}
          >
            Import YAML
          </Button>
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
            New from template
          </Button>
        </Group>
      </Group>

      {error && <FailureAlert failure={error} data-testid="profiles-error" />}
      {!profiles && !error && <Loader />}
      {profiles?.length === 0 && (
        <Card withBorder padding="xl" data-testid="profiles-empty">
          <Stack align="center" gap="xs">
            <IconTopologyStar3 size={32} color="var(--mantine-color-dimmed)" />
            <Text fw={600}>No cluster profiles yet</Text>
            <Text c="dimmed" size="sm" ta="center" maw={560}>
              A profile describes a cluster once: which board slot is which node, the network, the image and
              the add-ons. Clusterdeck then takes it through imaging, bootstrap and add-ons.
            </Text>
            <Group mt="sm">
              <Button variant="light" leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
                Start from a template
              </Button>
              <Button variant="subtle" onClick={() => setImporting(true)}>
                Import YAML
              </Button>
            </Group>
          </Stack>
        </Card>
      )}
      {profiles && profiles.length > 0 && (
        <Table striped highlightOnHover data-testid="profiles-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Distribution</Table.Th>
              <Table.Th>Nodes</Table.Th>
              <Table.Th>Boards</Table.Th>
              <Table.Th>Last run</Table.Th>
              <Table.Th>Changed</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {profiles.map((saved) => {
              const run = lastRuns.get(saved.id)
              return (
                <Table.Tr
                  key={saved.id}
                  data-testid="profile-row"
                  data-profile-name={saved.name}
                  style={{ cursor: 'pointer' }}
                  onClick={() => onOpenProfile(saved)}
                >
                  <Table.Td fw={600} ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                    {saved.name}
                  </Table.Td>
                  <Table.Td>
                    <DistributionBadge distribution={saved.distribution} />
                  </Table.Td>
                  <Table.Td>{nodeSummary(saved)}</Table.Td>
                  <Table.Td>
                    {[...new Set(saved.profile.nodes.map((node) => node.board))].join(', ')}
                  </Table.Td>
                  <Table.Td>
                    {run ? (
                      <Group gap={6}>
                        <RunStateBadge state={run.state} />
                        <Text size="xs" c="dimmed">
                          {new Date(run.createdAt).toLocaleString()}
                        </Text>
                      </Group>
                    ) : (
                      <Text size="sm" c="dimmed">
                        never deployed
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    <Text size="sm">{new Date(saved.updatedAt).toLocaleString()}</Text>
                  </Table.Td>
                  <Table.Td>
                    <RowActions
                      secondary={{
                        label: 'Export YAML',
                        icon: <IconDownload size={14} />,
                        onClick: () => void exportProfileYaml(saved),
                      }}
                      removeLabel="Delete"
                      onRemove={() => ask(removeProfileConfirmation(saved))}
                      onOpen={() => onOpenProfile(saved)}
                    />
                  </Table.Td>
                </Table.Tr>
              )
            })}
          </Table.Tbody>
        </Table>
      )}
      <NewProfileModal opened={creating} onClose={() => setCreating(false)} onCreated={opened} />
      <ImportProfileModal opened={importing} onClose={() => setImporting(false)} onImported={opened} />
      {modal}
    </Stack>
  )
}

export function DistributionBadge({ distribution }: { distribution: 'talos' | 'k3s' }) {
  return (
    <Badge variant="light" color={distribution === 'talos' ? 'orange' : 'indigo'}>
      {distribution === 'talos' ? 'Talos' : 'K3s'}
    </Badge>
  )
}

export function nodeSummary(saved: SavedProfile): string {
  const controlPlanes = saved.profile.nodes.filter((node) => node.role === 'control-plane').length
  const workers = saved.profile.nodes.length - controlPlanes
  return `${controlPlanes} control plane${controlPlanes === 1 ? '' : 's'}, ${workers} worker${workers === 1 ? '' : 's'}`
}

/** Each profile's newest run, for the list; the list works without it. */
function useLastRuns(): Map<string, RunSummary> {
  const [runs, setRuns] = useState<RunSummary[]>([])
  useEffect(() => {
    let active = true
    call('lifecycle.runs', {}).then(
      (list) => active && setRuns(list),
      () => undefined,
    )
    return () => {
      active = false
    }
  }, [])
  const newest = new Map<string, RunSummary>()
  for (const run of runs) if (run.profileId && !newest.has(run.profileId)) newest.set(run.profileId, run)
  return newest
}
