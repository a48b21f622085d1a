// Actions on the whole board: every node's power and the BMC itself, each confirmed first.
import { Button, Group } from '@mantine/core'
import { IconPlayerPlay, IconPower, IconRefresh, IconRotateClockwise } from '@tabler/icons-react'
import type { Board } from '../../../src-shared/boards/board-schemas.ts'
import { call } from '../bridge/bridge.ts'
import { notifyDone } from '../common/notify-failure.ts'
import { useConfirmation } from '../common/use-confirmation.tsx'
import { powerConfirmation, setPower, type PowerAction } from './power-confirmations.ts'

export interface BoardActionsProps {
  board: Board
  onChanged(): void
  onFailure(error: unknown): void
}

export function BoardActions({ board, onChanged, onFailure }: BoardActionsProps) {
  const confirmation = useConfirmation()

  const powerAll = (action: PowerAction) =>
    confirmation.ask(
      powerConfirmation(board, 'all', action, async () => {
        try {
          await setPower(board, 'all', action)
          onChanged()
        } catch (error) {
          onFailure(error)
        }
      }),
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

  return (
    <Group gap="xs">
      <Button variant="light" leftSection={<IconPlayerPlay size={16} />} onClick={() => powerAll('on')}>
        Power all on
      </Button>
      <Button
        variant="light"
        color="red"
        leftSection={<IconPower size={16} />}
        onClick={() => powerAll('off')}
      >
        Power all off
      </Button>
      <Button
        variant="light"
        color="orange"
        leftSection={<IconRotateClockwise size={16} />}
        onClick={() => powerAll('reset')}
      >
        Reset all
      </Button>
      <Button variant="default" leftSection={<IconRefresh size={16} />} onClick={rebootBmc}>
        Reboot BMC
      </Button>
      {confirmation.modal}
    </Group>
  )
}
