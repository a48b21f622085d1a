// One node's power: on at once, off and reset after a confirmation.
import { Button, Group } from '@mantine/core'
import { IconPlayerPlay, IconPower, IconRotateClockwise } from '@tabler/icons-react'
import { useState } from 'react'
import type { Board } from '../../../src-shared/boards/board-schemas.ts'
import type { NodeNumber } from '../../../src-shared/bmc/node-number.ts'
import type { SlotClaim } from '../../../src-shared/profiles/slot-claims.ts'
import { useConfirmation } from '../common/use-confirmation.tsx'
import { powerConfirmation, setPower, type PowerAction } from './power-confirmations.ts'

export interface NodePowerButtonsProps {
  board: Board
  node: NodeNumber
  poweredOn: boolean | null | undefined
  disabled: boolean
  /** The deployed cluster nodes in this slot, named in the confirmations. */
  clusterNodes: readonly SlotClaim[]
  onChanged(): void
  onFailure(error: unknown): void
}

export function NodePowerButtons({
  board,
  node,
  poweredOn,
  disabled,
  clusterNodes,
  onChanged,
  onFailure,
}: NodePowerButtonsProps) {
  const confirmation = useConfirmation()
  const [poweringOn, setPoweringOn] = useState(false)

  async function run(action: PowerAction) {
    try {
      await setPower(board, node, action)
      onChanged()
    } catch (error) {
      onFailure(error)
    }
  }

  async function powerOn() {
    setPoweringOn(true)
    await run('on')
    setPoweringOn(false)
  }

  const ask = (action: PowerAction) =>
    confirmation.ask(
      powerConfirmation(
        board,
        node,
        action,
        () => run(action),
        clusterNodes.map((claim) => ({ slot: node, node: claim })),
      ),
    )

  return (
    <Group gap={6}>
      <Button
        size="compact-sm"
        variant="light"
        leftSection={<IconPlayerPlay size={14} />}
        loading={poweringOn}
        disabled={disabled || poweredOn === true}
        onClick={() => void powerOn()}
      >
        On
      </Button>
      <Button
        size="compact-sm"
        variant="light"
        color="red"
        leftSection={<IconPower size={14} />}
        disabled={disabled || poweredOn === false}
        onClick={() => ask('off')}
      >
        Off
      </Button>
      <Button
        size="compact-sm"
        variant="light"
        color="gray"
        leftSection={<IconRotateClockwise size={14} />}
        disabled={disabled || poweredOn === false}
        onClick={() => ask('reset')}
      >
        Reset
      </Button>
      {confirmation.modal}
    </Group>
  )
}
