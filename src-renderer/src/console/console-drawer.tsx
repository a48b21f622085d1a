import { Drawer, Text } from '@mantine/core'
import type { Board } from '../../../src-shared/boards/board-schemas.ts'
import type { NodeNumber } from '../../../src-shared/bmc/node-number.ts'
import { UartConsole } from './uart-console.tsx'

export interface ConsoleDrawerProps {
  board: Board
  /** The node whose console is open, if any. */
  node: NodeNumber | undefined
  onClose(): void
  onFailure(error: unknown): void
}

/** The serial console of one node beside the board view; closing it stops the reads. */
export function ConsoleDrawer({ board, node, onClose, onFailure }: ConsoleDrawerProps) {
  return (
    <Drawer
      opened={node !== undefined}
      onClose={onClose}
      position="right"
      size="xl"
      title={
        <Text fw={600}>
          Node {node} console{' '}
          <Text span c="dimmed" fw={400}>
            · {board.name} · 115200 8N1
          </Text>
        </Text>
      }
    >
      {node !== undefined && <UartConsole key={node} board={board} node={node} onFailure={onFailure} />}
    </Drawer>
  )
}
