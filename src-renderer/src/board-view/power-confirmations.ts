// What each power action does to a running node, said before it happens. Powering on harms
// nothing, so it needs no confirmation on one node.
import type { Board } from '../../../src-shared/boards/board-schemas.ts'
import type { NodeNumber } from '../../../src-shared/bmc/node-number.ts'
import { call } from '../bridge/bridge.ts'
import type { Confirmation } from '../common/use-confirmation.tsx'

export type PowerAction = 'on' | 'off' | 'reset'
export type PowerTarget = NodeNumber | 'all'

export function powerConfirmation(
  board: Board,
  target: PowerTarget,
  action: PowerAction,
  run: () => Promise<void>,
): Confirmation {
  const who = target === 'all' ? 'all four nodes' : `node ${target}`
  const texts: Record<PowerAction, { title: string; body: string; confirmLabel: string; keepLabel: string }> =
    {
      on: {
        title: target === 'all' ? 'Power on all nodes?' : `Power on node ${target}?`,
        body: `Powers on ${who} of ${board.name}. Nodes that are already on keep running.`,
        confirmLabel: 'Power on',
        keepLabel: 'Leave as it is',
      },
      off: {
        title: target === 'all' ? 'Power off all nodes?' : `Power off node ${target}?`,
        body: `Cuts the power of ${who} of ${board.name}, like pulling the plug: the operating system does not shut down cleanly and unsaved data is lost.`,
        confirmLabel: 'Power off',
        keepLabel: target === 'all' ? 'Keep them running' : 'Keep it running',
      },
      reset: {
        title: target === 'all' ? 'Reset all nodes?' : `Reset node ${target}?`,
        body: `Power-cycles ${who} of ${board.name}, one after another: each loses power for a moment and boots again. The operating system does not shut down cleanly.`,
        confirmLabel: 'Reset',
        keepLabel: target === 'all' ? 'Keep them running' : 'Keep it running',
      },
    }
  return { ...texts[action], color: action === 'on' ? undefined : 'red', action: run }
}

/** Runs a power action through the core. */
export async function setPower(board: Board, target: PowerTarget, action: PowerAction): Promise<void> {
  await call('bmc.power', { boardId: board.id, target, action })
}
