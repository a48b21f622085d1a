// What became of a profile once deployed: the cluster's API endpoint, versions and nodes, its
// health kept live (docs/cluster-health.md), its client configs (download, merge into the user's config files) and each node's machine config with
// the secrets masked (docs/cluster-access.md), the etcd snapshots kept (docs/backups.md), and the
// day-2 operations started from here: back up, export the secrets, upgrade, destroy.
import { Anchor, Breadcrumbs, Button, Group, Loader, Stack, Text, Title } from '@mantine/core'
import { IconHierarchy2 } from '@tabler/icons-react'
import type { ClusterRecord } from '../../../src-shared/clusters/cluster-schema.ts'
import type { Run } from '../../../src-shared/lifecycle/run-schema.ts'
import { FailureAlert } from '../common/failure-alert.tsx'
import { focusRun } from '../lifecycle/run-focus.ts'
import { useRuns } from '../lifecycle/use-runs.ts'
import { DistributionBadge } from '../profiles/profiles-page.tsx'
import { useProfiles } from '../profiles/use-profiles.ts'
import { BackupsSection } from './backups-section.tsx'
import { ClientConfigsSection } from './client-configs-section.tsx'
import { ClusterHealthSection } from './cluster-health-section.tsx'
import { ClusterOperations } from './cluster-operations.tsx'
import { MachineConfigsSection } from './machine-configs-section.tsx'
import { useClusters } from './use-clusters.ts'

export interface ClusterPageProps {
  clusterName: string
  onBack(): void
  onOpenProfile(): void
}

export function ClusterPage({ clusterName, onBack, onOpenProfile }: ClusterPageProps) {
  const { records, error } = useClusters()
  const record = records?.find(
    (candidate) => candidate.profileName === clusterName && candidate.destroyedAt === null,
  )
  const profile = useProfiles().profiles?.find((candidate) => candidate.name === clusterName)
  // A run started here opens on the profile's timeline, as a deploy does.
  const openRun = (runId: string) => {
    if (profile) focusRun(profile.id, runId)
    onOpenProfile()
  }
  const showRun = (run: Run) => openRun(run.id)
  const activeRun = useRuns(profile?.id ?? '', clusterName).runs?.find((run) => run.state === 'running')
  const hasKubeconfig = record?.artifacts.some((artifact) => artifact.name === 'kubeconfig') ?? false

  return (
    <Stack gap="lg" data-testid="cluster-page" data-cluster-name={clusterName}>
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Breadcrumbs>
            <Anchor component="button" type="button" size="sm" onClick={onBack}>
              Clusters
            </Anchor>
            <Anchor component="button" type="button" size="sm" onClick={onOpenProfile}>
              {clusterName}
            </Anchor>
            <Text size="sm">Health and access</Text>
          </Breadcrumbs>
          <Group gap="sm">
            <Title order={2} ff="monospace">
              {clusterName}
            </Title>
            {record && <DistributionBadge distribution={record.distribution} />}
          </Group>
          {record && <Facts record={record} />}
        </Stack>
        <Button variant="default" leftSection={<IconHierarchy2 size={16} />} onClick={onOpenProfile}>
          Open the profile
        </Button>
      </Group>
      {record && profile && (
        <ClusterOperations
          profile={profile}
          record={record}
          onStarted={showRun}
          activeRun={activeRun}
          onOpenRun={openRun}
        />
      )}
      {error && <FailureAlert failure={error} />}
      {!records && !error && <Loader aria-label="Loading the cluster" />}
      {records && !record && (
        <Text c="dimmed">
          Nothing has been deployed from {clusterName} yet (or it was destroyed): deploy the profile, and its
          kubeconfig, talosconfig and machine configs appear here.
        </Text>
      )}
      {record && (
        <>
          {hasKubeconfig && (
            <ClusterHealthSection
              clusterName={clusterName}
              monitoring={record.artifacts.some((a) => a.name === 'grafana-admin-password')}
            />
          )}
          <ClientConfigsSection record={record} />
          <BackupsSection
            clusterId={record.id}
            lastRunId={record.lastRunId}
            profile={profile}
            onStarted={showRun}
            runInProgress={activeRun !== undefined}
          />
          {record.distribution === 'talos' && (
            <MachineConfigsSection
              clusterId={record.id}
              sealedAt={
                record.artifacts
                  .map((artifact) => artifact.sealedAt)
                  .sort()
                  .at(-1) ?? ''
              }
            />
          )}
        </>
      )}
    </Stack>
  )
}

function Facts({ record }: { record: ClusterRecord }) {
  const versions = [
    record.versions.talos && `Talos ${record.versions.talos}`,
    record.versions.kubernetes && `Kubernetes ${record.versions.kubernetes}`,
    record.versions.k3s && `K3s ${record.versions.k3s}`,
  ].filter(Boolean)
  return (
    <Text size="sm" c="dimmed" data-testid="cluster-facts">
      {[
        record.apiEndpoint ? `API ${record.apiEndpoint}` : 'not bootstrapped yet',
        ...versions,
        `${record.nodes.length} node${record.nodes.length === 1 ? '' : 's'}`,
      ].join(' · ')}
    </Text>
  )
}
