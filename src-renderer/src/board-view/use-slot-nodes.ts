// The cluster nodes the saved profiles put on one board, slot by slot, and whether their profile
// has been deployed (it has a run: its nodes may hold a cluster now). Kept current by the
// profiles.changed and lifecycle.run events.
import { useEffect, useMemo, useState } from 'react'
import type { NodeNumber } from '../../../src-shared/bmc/node-number.ts'
import { slotClaims, type SlotClaim } from '../../../src-shared/profiles/slot-claims.ts'
import { bridge, call } from '../bridge/bridge.ts'
import { useProfiles } from '../profiles/use-profiles.ts'

export interface SlotNode extends SlotClaim {
  deployed: boolean
}

export type SlotNodes = Partial<Record<NodeNumber, SlotNode[]>>

export function useSlotNodes(boardName: string): SlotNodes {
  const { profiles } = useProfiles()
  const deployed = useDeployedProfiles()
  return useMemo(() => {
    const claims = slotClaims(
      (profiles ?? []).map((saved) => saved.profile),
      boardName,
    )
    const nodes: SlotNodes = {}
    for (const [slot, list] of claims) {
      nodes[slot as NodeNumber] = list.map((claim) => ({
        ...claim,
        deployed: deployed.has(claim.profileName),
      }))
    }
    return nodes
  }, [profiles, boardName, deployed])
}

/** Names of the profiles with at least one run. */
function useDeployedProfiles(): ReadonlySet<string> {
  const [names, setNames] = useState<ReadonlySet<string>>(new Set())
  useEffect(() => {
    let active = true
    const stop = bridge.subscribe('lifecycle.run', (run) =>
      setNames((current) =>
        current.has(run.profileName) ? current : new Set([...current, run.profileName]),
      ),
    )
    call('lifecycle.runs', {}).then(
      (runs) => active && setNames((current) => new Set([...current, ...runs.map((run) => run.profileName)])),
      () => undefined, // Without the history no node counts as deployed; the slots still show their profile.
    )
    return () => {
      active = false
      stop()
    }
  }, [])
  return names
}

/** The deployed cluster nodes among these, for the confirmations that could harm them. */
export function deployedNodes(nodes: readonly SlotNode[] | undefined): SlotNode[] {
  return (nodes ?? []).filter((node) => node.deployed)
}
