// One of the board's four slots, numbered as printed on the board: what the BMC reports about the
// node, its power controls, and the place to drop an image on it.
import { Badge, Button, Card, Divider, Group, Stack, Text, ThemeIcon } from '@mantine/core'
import { IconHistory, IconTerminal2 } from '@tabler/icons-react'
import type { NodeStatus, UsbState } from '../../../src-shared/bmc/bmc-schemas.ts'
import type { Board } from '../../../src-shared/boards/board-schemas.ts'
import type { NodeNumber } from '../../../src-shared/bmc/node-number.ts'
import { finishedPhases, type FlashJob } from '../../../src-shared/flash/flash-schemas.ts'
import { formatDuration } from '../../../src-shared/progress/progress.ts'
import { FlashArea } from '../flash/flash-area.tsx'
import { describeClaim, roleWords } from '../../../src-shared/profiles/slot-claims.ts'
import { NodePowerButtons } from './node-power-buttons.tsx'
import { deployedNodes, type SlotNode } from './use-slot-nodes.ts'

export interface NodeSlotCardProps {
  board: Board
  node: NodeNumber
  status: NodeStatus | undefined
  usb: UsbState | undefined
  job: FlashJob | undefined
  /** The cluster nodes the saved profiles put in this slot (more than one is a conflict). */
  clusterNodes: SlotNode[] | undefined
  /** Why nothing can be done to the node now (the BMC does not answer), or undefined. */
  unavailable: string | undefined
  onChanged(): void
  onFailure(error: unknown): void
  onOpenConsole(node: NodeNumber): void
  onOpenHistory(node: NodeNumber): void
}

export function NodeSlotCard(props: NodeSlotCardProps) {
  const { board, node, status, usb, job, clusterNodes = [], unavailable, onChanged, onFailure } = props
  const deployed = deployedNodes(clusterNodes)
  const flashing = job !== undefined && !finishedPhases.includes(job.phase) && job.phase !== 'queued'
  const power = powerText(status?.poweredOn)
  return (
    <Card
      withBorder
      padding="md"
      radius="md"
      data-testid="node-slot"
      data-node={node}
      data-power={power.state}
    >
      <Stack gap="sm" h="100%">
        <Group justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <ThemeIcon
              size={36}
              radius="xl"
              variant={status?.poweredOn ? 'filled' : 'light'}
              color={power.color}
            >
              <Text fw={700} size="lg" c="inherit">
                {node}
              </Text>
            </ThemeIcon>
            <div>
              <Text fw={700}>Node {node}</Text>
              {clusterNodes.length === 0 ? (
                <Text size="xs" c="dimmed" lineClamp={1}>
                  {status?.name ?? 'unnamed'}
                </Text>
              ) : (
                clusterNodes.map((claim) => (
                  <Text
                    key={claim.profileName}
                    size="xs"
                    lineClamp={1}
                    data-testid="slot-cluster-node"
                    data-deployed={claim.deployed}
                    title={describeClaim(claim)}
                  >
                    <b>{claim.hostname}</b> · {roleWords[claim.role]} · {claim.profileName}
                  </Text>
                ))
              )}
            </div>
          </Group>
          <Badge
            color={flashing ? 'blue' : power.color}
            variant={status?.poweredOn && !flashing ? 'filled' : 'light'}
            data-testid="slot-power"
          >
            {flashing ? 'flashing' : power.label}
          </Badge>
        </Group>

        {clusterNodes.length > 1 && (
          <Text size="xs" c="orange" data-testid="slot-conflict">
            {clusterNodes.length} profiles put a node in this slot: deploying one overwrites the other.
          </Text>
        )}

        <Stack gap={2}>
          <Fact label="Module" value={status?.moduleName ?? 'not reported'} testId="slot-module" />
          <Fact
            label="Uptime"
            value={
              status?.poweredOn && status.uptimeSeconds !== null ? formatDuration(status.uptimeSeconds) : '—'
            }
            testId="slot-uptime"
          />
          <Fact label="USB" value={usbText(node, usb)} testId="slot-usb" />
        </Stack>

        <NodePowerButtons
          board={board}
          node={node}
          poweredOn={status?.poweredOn}
          disabled={flashing || status === undefined || unavailable !== undefined}
          clusterNodes={deployed}
          onChanged={onChanged}
          onFailure={onFailure}
        />

        <Divider />
        <FlashArea
          board={board}
          node={node}
          job={job}
          clusterNodes={deployed}
          unavailable={unavailable}
          onFailure={onFailure}
        />

        <Group gap="xs" mt="auto">
          <Button
            size="compact-sm"
            variant="subtle"
            leftSection={<IconTerminal2 size={14} />}
            onClick={() => props.onOpenConsole(node)}
          >
            Console
          </Button>
          <Button
            size="compact-sm"
            variant="subtle"
            color="gray"
            leftSection={<IconHistory size={14} />}
            onClick={() => props.onOpenHistory(node)}
          >
            History
          </Button>
        </Group>
      </Stack>
    </Card>
  )
}

function Fact({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <Group justify="space-between" gap="xs" wrap="nowrap">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text size="sm" fw={500} truncate="end" data-testid={testId}>
        {value}
      </Text>
    </Group>
  )
}

function powerText(poweredOn: boolean | null | undefined): { state: string; label: string; color: string } {
  if (poweredOn === true) return { state: 'on', label: 'on', color: 'teal' }
  if (poweredOn === false) return { state: 'off', label: 'off', color: 'gray' }
  return { state: 'unknown', label: poweredOn === null ? 'unknown' : '…', color: 'gray' }
}

/** The BMC routes one node's USB at a time (or all through a hub on 2.5 boards). */
function usbText(node: NodeNumber, usb: UsbState | undefined): string {
  if (!usb) return '—'
  if (usb.node !== node) return usb.busType === 'usb-hub' ? 'on the hub' : '—'
  return `${usb.mode} → ${usb.route === 'bmc' ? 'BMC' : 'USB-A port'}`
}
