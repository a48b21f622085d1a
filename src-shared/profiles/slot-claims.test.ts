import { describe, expect, it } from 'vitest'
import { profileFromTemplate } from './profile-templates.ts'
import { describeClaim, slotClaims } from './slot-claims.ts'

describe('slotClaims', () => {
  it("lists every profile's node in each slot of the board, board names case-insensitive", () => {
    const homelab = profileFromTemplate('talos-rk1-longhorn', { name: 'homelab', board: 'rack-1' })
    const other = profileFromTemplate('k3s-rk1-armbian', { name: 'lab-b', board: 'RACK-1' })
    const elsewhere = profileFromTemplate('k3s-rk1-armbian', { name: 'far', board: 'rack-2' })
    const claims = slotClaims([homelab, other, elsewhere], 'Rack-1')
    expect([...claims.keys()].sort()).toEqual([1, 2, 3, 4])
    expect(claims.get(1)?.map((claim) => claim.profileName)).toEqual(['homelab', 'lab-b'])
    expect(describeClaim(claims.get(1)![0]!)).toBe('turing-cp1, the control plane of homelab')
    expect(claims.get(4)?.every((claim) => claim.role === 'worker')).toBe(true)
  })
})
