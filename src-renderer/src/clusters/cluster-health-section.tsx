// The cluster's health on its page: a verdict with its reasons, then nodes, add-ons, pods that are
// not Ready and recent warnings, kept live by the core's watch (use-cluster-health.ts). A cluster
// that cannot be reached says which API server was tried and why, and that it is tried again.
import { Alert, Badge, Group, List, Loader, Stack, Text, Title } from '@mantine/core'
import { IconPlugConnectedX } from '@tabler/icons-react'
import type { ClusterHealth, HealthState } from '../../../src-shared/clusters/health-schema.ts'
import { FailureAlert } from '../common/failure-alert.tsx'
import { LiveAnnouncement } from '../common/live-announcement.tsx'
import { GrafanaLogin } from './grafana-login.tsx'
import { AddonsTable, NodesTable, PodsTable, WarningsTable } from './health-tables.tsx'
import { useClusterHealth } from './use-cluster-health.ts'

const stateColour: Record<HealthState, string> = { healthy: 'teal', degraded: 'orange', unreachable: 'gray' }

export function ClusterHealthSection({
  clusterName,
  monitoring,
}: {
  clusterName: string
  monitoring: boolean
}) {
  const { health, failure } = useClusterHealth(clusterName)
  return (
    <Stack gap="sm" component="section" aria-labelledby="cluster-health-title" data-testid="cluster-health">
      <Group gap="sm">
        <Title order={3} id="cluster-health-title">
          Health
        </Title>
        {health && (
          <Badge color={stateColour[health.state]} data-testid="health-state">
            {health.state}
          </Badge>
        )}
      </Group>
      <LiveAnnouncement>{health ? `The cluster is ${health.state}.` : ''}</LiveAnnouncement>
      {failure && <FailureAlert failure={failure} />}
      {!health && !failure && <Loader size="sm" aria-label="Loading the cluster’s health" />}
      {health?.state === 'unreachable' && <Unreachable health={health} />}
      {health && health.state !== 'unreachable' && <Reachable health={health} />}
      {monitoring && <GrafanaLogin clusterName={clusterName} />}
    </Stack>
  )
}

function Unreachable({ health }: { health: ClusterHealth }) {
  return (
    <Alert
      color="gray"
      icon={<IconPlugConnectedX size={18} />}
      title={`The cluster cannot be reached${health.server ? ` at ${health.server}` : ''}`}
      data-testid="health-unreachable"
    >
      <Text size="sm">{health.unreachable?.message}</Text>
      {health.unreachable?.hint && (
        <Text size="sm" c="dimmed">
          {health.unreachable.hint}
        </Text>
      )}
      <Text size="sm" c="dimmed" mt="xs">
        Clusterdeck tries again by itself while this page is open.
      </Text>
    </Alert>
  )
}

function Reachable({ health }: { health: ClusterHealth }) {
  return (
    <>
      {health.reasons.length > 0 && (
        <List size="sm" data-testid="health-reasons">
          {health.reasons.map((reason) => (
            <List.Item key={reason}>{reason}</List.Item>
          ))}
        </List>
      )}
      <NodesTable nodes={health.nodes} />
      {health.addons.length > 0 && <AddonsTable addons={health.addons} />}
      {health.notReadyPods.length > 0 && <PodsTable pods={health.notReadyPods} />}
      {health.warnings.length > 0 && <WarningsTable warnings={health.warnings} />}
    </>
  )
}
