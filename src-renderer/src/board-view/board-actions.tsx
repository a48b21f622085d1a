// Actions on the whole board: every node's power and the BMC itself, each confirmed first.
import { Button, Group, Stack, Text } from '@mantine/core'
import { IconPlayerPlay, IconPower, IconRefresh, IconRotateClockwise } from '@tabler/icons-react'
import type { Board } from '../../../src-shared/boards/board-schemas.ts'
import { call } from '../bridge/bridge.ts'
import { notifyDone } from '../common/notify-failure.ts'
import { useConfirmation } from '../common/use-confirmation.tsx'
import { nodeNumbers } from '../../../src-shared/bmc/node-number.ts'
import { powerConfirmation, setPower, type PowerAction } from './power-confirmations.ts'
import { deployedNodes, type SlotNodes } from './use-slot-nodes.ts'

export interface BoardActionsProps {
  board: Board
  /** The cluster nodes in the board's slots; the deployed ones are named before power goes off. */
  clusterNodes: SlotNodes
  /** Why the board cannot be acted on now (the BMC does not answer), or undefined. */
  unavailable: string | undefined
  onChanged(): void
  onFailure(error: unknown): void
}

export function BoardActions({ board, clusterNodes, unavailable, onChanged, onFailure }: BoardActionsProps) {
  const confirmation = useConfirmation()
  const affected = nodeNumbers.flatMap((slot) =>
    deployedNodes(clusterNodes[slot]).map((node) => ({ slot, node })),
  )

  const powerAll = (action: PowerAction) =>
    confirmation.ask(
      powerConfirmation(
        board,
        'all',
        action,
        async () => {
          try {
            await setPower(board, 'all', action)
            onChanged()
          } catch (error) {
            onFailure(error)
          }
        },
        affected,
      ),
    )

  const rebootBmc = () =>
    confirmation.ask({
      title: 'Reboot the BMC?',
      body: `The BMC of ${board.name} restarts and is unreachable for about a minute. Nodes may lose power while it is down, and a running flash fails.`,
      confirmLabel: 'Reboot BMC',
      keepLabel: 'Keep the BMC running',
      color: 'red',
      action: async () => {
        try {
          await call('bmc.reboot', { boardId: board.id })
          notifyDone(`The BMC of "${board.name}" is rebooting.`)
        } catch (error) {
          onFailure(error)
        }
      },
    })

  const disabled = unavailable !== undefined
  return (
    <Stack gap={4} align="flex-end">
      <Group gap="xs">
        <Button
          variant="light"
          leftSection={<IconPlayerPlay size={16} />}
          disabled={disabled}
          onClick={() => powerAll('on')}
        >
          Power all on
        </Button>
        <Button
          variant="light"
          color="red"
          leftSection={<IconPower size={16} />}
          disabled={disabled}
          onClick={() => powerAll('off')}
        >
          Power all off
        </Button>
        <Button
          variant="light"
          color="orange"
          leftSection={<IconRotateClockwise size={16} />}
          disabled={disabled}
          onClick={() => powerAll('reset')}
        >
          Reset all
        </Button>
        <Button
          variant="default"
          leftSection={<IconRefresh size={16} />}
          disabled={disabled}
          onClick={rebootBmc}
        >
          Reboot BMC
        </Button>
        {confirmation.modal}
      </Group>
      {unavailable && (
        <Text size="xs" c="dimmed" data-testid="board-actions-unavailable">
          Unavailable: {unavailable}
        </Text>
      )}
    </Stack>
  )
}
