// Said before a board is removed: which saved profiles put nodes on it. They stay, but cannot be
// deployed until their nodes name a saved board again.
import { Alert, Text } from '@mantine/core'
import { IconAlertTriangle } from '@tabler/icons-react'
import type { Board } from '../../../src-shared/boards/board-schemas.ts'
import { slotClaims } from '../../../src-shared/profiles/slot-claims.ts'
import { useProfiles } from '../profiles/use-profiles.ts'

export function BoardUsedBy({ board }: { board: Board }) {
  const { profiles } = useProfiles()
  const byProfile = new Map<string, string[]>()
  for (const [slot, claims] of slotClaims(
    (profiles ?? []).map((saved) => saved.profile),
    board.name,
  )) {
    for (const claim of claims) {
      byProfile.set(claim.profileName, [
        ...(byProfile.get(claim.profileName) ?? []),
        `${claim.hostname} (slot ${slot})`,
      ])
    }
  }
  if (byProfile.size === 0) return null
  return (
    <Alert
      color="orange"
      icon={<IconAlertTriangle size={18} />}
      title={`${byProfile.size === 1 ? 'A cluster profile uses' : `${byProfile.size} cluster profiles use`} this board`}
      data-testid="board-used-by"
    >
      {[...byProfile].map(([profile, nodes]) => (
        <Text key={profile} size="sm">
          <b>{profile}</b>: {nodes.join(', ')}
        </Text>
      ))}
      <Text size="sm" mt={4}>
        The profiles stay, but cannot be deployed or resumed until their nodes name a saved board again.
      </Text>
    </Alert>
  )
}
