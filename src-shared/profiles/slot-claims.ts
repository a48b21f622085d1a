// Which cluster node sits in which board slot, as the saved profiles say: for the board view (each
// slot's host name, role and profile), the confirmations that could harm a cluster, and the
// warning when two profiles claim the same slot. Board names match case-insensitively, as in
// validateProfile.
import type { ClusterProfile } from './profile-schema.ts'

export interface SlotClaim {
  profileName: string
  hostname: string
  role: 'control-plane' | 'worker'
}

export const roleWords: Record<SlotClaim['role'], string> = {
  'control-plane': 'control plane',
  worker: 'worker',
}

const sameBoard = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

/** Every profile's node in each slot of the board, by slot. */
export function slotClaims(
  profiles: ReadonlyArray<Pick<ClusterProfile, 'name' | 'nodes'>>,
  boardName: string,
): Map<number, SlotClaim[]> {
  const claims = new Map<number, SlotClaim[]>()
  for (const profile of profiles) {
    for (const node of profile.nodes) {
      if (!sameBoard(node.board, boardName)) continue
      const claim = { profileName: profile.name, hostname: node.hostname, role: node.role }
      claims.set(node.slot, [...(claims.get(node.slot) ?? []), claim])
    }
  }
  return claims
}

/** The nodes of other profiles in the same board slot as this node. */
export function otherClaims(
  others: ReadonlyArray<Pick<ClusterProfile, 'name' | 'nodes'>>,
  board: string,
  slot: number,
): SlotClaim[] {
  return slotClaims(others, board).get(slot) ?? []
}

/** "turing-cp1, the control plane of homelab" */
export function describeClaim(claim: SlotClaim): string {
  return `${claim.hostname}, the ${roleWords[claim.role]} of ${claim.profileName}`
}

/** "slot 2 is also turing-w1 (worker) of lab-b": what another profile put in this slot. */
export function slotConflictMessage(board: string, slot: number, others: readonly SlotClaim[]): string {
  const names = others.map(
    (claim) => `${claim.hostname} (${roleWords[claim.role]}) of profile "${claim.profileName}"`,
  )
  return `slot ${slot} of board "${board}" is also ${names.join(' and ')}: deploying one cluster overwrites the other's node`
}
