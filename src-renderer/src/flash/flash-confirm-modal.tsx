// The last look before a node's eMMC is overwritten: which node of which board, which image, and
// the two choices that shape the run.
import { Alert, Group, Stack, Switch, Text } from '@mantine/core'
import { IconAlertTriangle } from '@tabler/icons-react'
import { useEffect, useState } from 'react'
import type { Board } from '../../../src-shared/boards/board-schemas.ts'
import type { NodeNumber } from '../../../src-shared/bmc/node-number.ts'
import { formatBytes } from '../../../src-shared/progress/progress.ts'
import { describeClaim, type SlotClaim } from '../../../src-shared/profiles/slot-claims.ts'
import { ConfirmModal } from '../common/confirm-modal.tsx'

export interface FlashChoices {
  verify: boolean
  powerOnAfter: boolean
}

export interface FlashConfirmModalProps {
  board: Board
  node: NodeNumber
  /** The image to flash (a dropped file or a library image); the modal is open while there is one. */
  image: { name: string; sizeBytes: number } | undefined
  /** The deployed cluster nodes in this slot: flashing erases them from their cluster. */
  clusterNodes: readonly SlotClaim[]
  onConfirm(choices: FlashChoices): Promise<void>
  onClose(): void
}

export function FlashConfirmModal({
  board,
  node,
  image,
  clusterNodes,
  onConfirm,
  onClose,
}: FlashConfirmModalProps) {
  const [choices, setChoices] = useState<FlashChoices>({ verify: true, powerOnAfter: true })
  useEffect(() => {
    if (image) setChoices({ verify: true, powerOnAfter: true })
  }, [image])

  return (
    <ConfirmModal
      opened={image !== undefined}
      title={`Flash node ${node} of ${board.name}?`}
      confirmLabel={`Flash node ${node}`}
      keepLabel="Don't flash"
      color="red"
      onConfirm={() => onConfirm(choices)}
      onClose={onClose}
    >
      {image && (
        <Stack gap="md" data-testid="flash-confirm">
          <Group justify="space-between" wrap="nowrap" gap="md">
            <Text fw={600} ff="monospace" style={{ wordBreak: 'break-all' }} data-testid="flash-confirm-file">
              {image.name}
            </Text>
            <Text c="dimmed" style={{ whiteSpace: 'nowrap' }} data-testid="flash-confirm-size">
              {formatBytes(image.sizeBytes)}
            </Text>
          </Group>
          {clusterNodes.map((claim) => (
            <Alert
              key={claim.profileName}
              color="red"
              variant="filled"
              icon={<IconAlertTriangle size={18} />}
              title={`Node ${node} is ${describeClaim(claim)}`}
              data-testid="flash-cluster-warning"
            >
              {claim.role === 'control-plane'
                ? `Flashing it wipes a control plane of cluster ${claim.profileName}: with a single one, the whole cluster (its etcd and Kubernetes API) is gone until you deploy ${claim.profileName} again.`
                : `Flashing it removes this worker from cluster ${claim.profileName}; deploy ${claim.profileName} again to bring it back.`}
            </Alert>
          ))}
          <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />}>
            Everything on the eMMC of node {node} of {board.name} will be overwritten. The node is powered off
            while it is written.
          </Alert>
          <Switch
            label="Verify after writing"
            description="The BMC reads the eMMC back and checks it. Roughly doubles the time."
            checked={choices.verify}
            onChange={(event) => {
              const { checked } = event.currentTarget
              setChoices((current) => ({ ...current, verify: checked }))
            }}
          />
          <Switch
            label="Power on when done"
            description="The BMC leaves a flashed node off; this switches it on so it boots the new image."
            checked={choices.powerOnAfter}
            onChange={(event) => {
              const { checked } = event.currentTarget
              setChoices((current) => ({ ...current, powerOnAfter: checked }))
            }}
          />
        </Stack>
      )}
    </ConfirmModal>
  )
}
