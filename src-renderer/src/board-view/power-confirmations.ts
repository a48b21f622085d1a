// What each power action does to a running node, said before it happens. Powering on harms
// nothing, so it needs no confirmation on one node.
import type { Board } from '../../../src-shared/boards/board-schemas.ts'
import type { NodeNumber } from '../../../src-shared/bmc/node-number.ts'
import { call } from '../bridge/bridge.ts'
import { describeClaim, type SlotClaim } from '../../../src-shared/profiles/slot-claims.ts'
import type { Confirmation } from '../common/use-confirmation.tsx'

export type PowerAction = 'on' | 'off' | 'reset'
export type PowerTarget = NodeNumber | 'all'

/** A node of a deployed cluster that the action would hit. */
export interface AffectedClusterNode {
  slot: NodeNumber
  node: SlotClaim
}

export function powerConfirmation(
  board: Board,
  target: PowerTarget,
  action: PowerAction,
  run: () => Promise<void>,
  affected: readonly AffectedClusterNode[] = [],
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
  const text = texts[action]
  const harmed = action === 'on' ? [] : affected
  const body =
    harmed.length === 0
      ? text.body
      : `${harmed.map(({ slot, node }) => `Node ${slot} is ${describeClaim(node)}.`).join(' ')} ${clusterHarm(harmed)} ${text.body}`
  return { ...text, body, color: action === 'on' ? undefined : 'red', action: run }
}

/** What losing these nodes means to their clusters, worst first. */
function clusterHarm(harmed: readonly AffectedClusterNode[]): string {
  const clusters = [...new Set(harmed.map(({ node }) => node.profileName))]
  const controlPlane = harmed.some(({ node }) => node.role === 'control-plane')
  return controlPlane
    ? `Cluster ${clusters.join(' and ')} loses a control plane: with a single one, its Kubernetes API is down until the node is back.`
    : `Cluster ${clusters.join(' and ')} loses ${harmed.length === 1 ? 'this worker' : 'these workers'} and moves its workloads elsewhere.`
}

/** Runs a power action through the core. */
export async function setPower(board: Board, target: PowerTarget, action: PowerAction): Promise<void> {
  await call('bmc.power', { boardId: board.id, target, action })
}
