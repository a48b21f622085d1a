// The tables of the cluster's health: nodes, add-ons (with their web UIs as copyable addresses —
// the app opens no outside pages), pods that are not Ready and recent warnings. Each table has a
// caption so a screen reader names it.
import { Badge, Code, Group, Stack, Table, Text } from '@mantine/core'
import type {
  HealthAddon,
  HealthNode,
  HealthPod,
  HealthWarning,
} from '../../../src-shared/clusters/health-schema.ts'
import { CopyIconButton } from '../common/copy-icon-button.tsx'

function ReadyBadge({
  ready,
  yes = 'Ready',
  no = 'Not ready',
}: {
  ready: boolean
  yes?: string
  no?: string
}) {
  return (
    <Badge color={ready ? 'teal' : 'red'} variant="light">
      {ready ? yes : no}
    </Badge>
  )
}

function Caption({ children }: { children: string }) {
  return (
    <Table.Caption style={{ captionSide: 'top', textAlign: 'start' }}>
      <Text fw={600} size="sm" c="var(--mantine-color-text)">
        {children}
      </Text>
    </Table.Caption>
  )
}

export function NodesTable({ nodes }: { nodes: HealthNode[] }) {
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table data-testid="health-nodes">
        <Caption>Nodes</Caption>
        <Table.Thead>
          <Table.Tr>
            {['Node', 'Status', 'Roles', 'Versions', 'Addresses', 'Capacity'].map((h) => (
              <Table.Th key={h}>{h}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {nodes.map((node) => (
            <Table.Tr key={node.name} data-node={node.name} data-ready={node.ready}>
              <Table.Td ff="monospace">{node.name}</Table.Td>
              <Table.Td>
                <ReadyBadge ready={node.ready} />
                {!node.ready && (
                  <Text size="xs" c="dimmed">
                    {node.reason}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>{node.roles.join(', ')}</Table.Td>
              <Table.Td>
                <Text size="sm">kubelet {node.kubeletVersion}</Text>
                <Text size="xs" c="dimmed">
                  {node.osImage}
                </Text>
              </Table.Td>
              <Table.Td ff="monospace">{node.addresses.map((a) => a.address).join(', ')}</Table.Td>
              <Table.Td>
                {node.cpu} CPU, {node.memory}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  )
}

function AddonAccess({ addon }: { addon: HealthAddon }) {
  if (addon.url) {
    return (
      <Group gap={4} wrap="nowrap">
        <Code>{addon.url}</Code>
        <CopyIconButton value={addon.url} label={`${addon.title} address`} />
      </Group>
    )
  }
  if (!addon.portForward) return <Text size="sm">—</Text>
  return (
    <Stack gap={2}>
      <Group gap={4} wrap="nowrap">
        <Code>{addon.portForward.command}</Code>
        <CopyIconButton value={addon.portForward.command} label={`${addon.title} port-forward command`} />
      </Group>
      <Text size="xs" c="dimmed">
        then open {addon.portForward.localUrl}
      </Text>
    </Stack>
  )
}

export function AddonsTable({ addons }: { addons: HealthAddon[] }) {
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table data-testid="health-addons">
        <Caption>Add-ons</Caption>
        <Table.Thead>
          <Table.Tr>
            {['Add-on', 'Status', 'Release', 'Pods', 'Web UI'].map((h) => (
              <Table.Th key={h}>{h}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {addons.map((addon) => (
            <Table.Tr key={addon.key} data-addon={addon.key} data-ready={addon.ready}>
              <Table.Td>{addon.title}</Table.Td>
              <Table.Td>
                <ReadyBadge ready={addon.ready} />
                {addon.checks
                  .filter((check) => !check.ready)
                  .map((check) => (
                    <Text key={check.detail} size="xs" c="dimmed">
                      {check.detail}
                    </Text>
                  ))}
              </Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  {addon.namespace}/{addon.release}
                </Text>
                <Text size="xs" c="dimmed">
                  {addon.releaseStatus ?? 'not installed'}
                  {addon.chart ? ` · ${addon.chart}` : ` · pinned ${addon.pinnedVersion}`}
                </Text>
              </Table.Td>
              <Table.Td>
                {addon.podsReady}/{addon.podsTotal}
              </Table.Td>
              <Table.Td>
                <AddonAccess addon={addon} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  )
}

export function PodsTable({ pods }: { pods: HealthPod[] }) {
  return (
    <Table data-testid="health-pods">
      <Caption>Pods that are not Ready</Caption>
      <Table.Thead>
        <Table.Tr>
          {['Pod', 'Phase', 'Reason', 'Containers'].map((h) => (
            <Table.Th key={h}>{h}</Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {pods.map((pod) => (
          <Table.Tr key={`${pod.namespace}/${pod.name}`}>
            <Table.Td ff="monospace">
              {pod.namespace}/{pod.name}
            </Table.Td>
            <Table.Td>{pod.phase}</Table.Td>
            <Table.Td>{pod.reason}</Table.Td>
            <Table.Td>
              {pod.containers
                .map((c) => `${c.name}: ${c.state}${c.restarts ? `, ${c.restarts} restarts` : ''}`)
                .join('; ')}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  )
}

export function WarningsTable({ warnings }: { warnings: HealthWarning[] }) {
  return (
    <Table data-testid="health-warnings">
      <Caption>Recent warnings</Caption>
      <Table.Thead>
        <Table.Tr>
          {['Reason', 'About', 'Message', 'Last seen'].map((h) => (
            <Table.Th key={h}>{h}</Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {warnings.map((w) => (
          <Table.Tr key={`${w.namespace}/${w.object}/${w.reason}/${w.lastSeen}`}>
            <Table.Td>{w.reason}</Table.Td>
            <Table.Td ff="monospace">
              {w.namespace}/{w.object}
            </Table.Td>
            <Table.Td>
              {w.message}
              {w.count > 1 ? ` (×${w.count})` : ''}
            </Table.Td>
            <Table.Td>{w.lastSeen ? new Date(w.lastSeen).toLocaleString() : ''}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  )
}
