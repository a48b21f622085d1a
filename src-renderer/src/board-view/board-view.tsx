// One board: its four node slots live, the actions on the whole board, and what the BMC says about
// itself. Consoles and flash histories open on top, one node at a time.
import { Alert, Anchor, Breadcrumbs, Button, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core'
import { IconAlertTriangle } from '@tabler/icons-react'
import { useState } from 'react'
import type { Board } from '../../../src-shared/boards/board-schemas.ts'
import { nodeNumbers, type NodeNumber } from '../../../src-shared/bmc/node-number.ts'
import { ConsoleDrawer } from '../console/console-drawer.tsx'
import { FlashHistoryModal } from '../flash/flash-history-modal.tsx'
import { useFlashJobs } from '../flash/use-flash-jobs.ts'
import { LibraryShelf } from '../library/library-shelf.tsx'
import { BmcInfoPanel } from './bmc-info-panel.tsx'
import { BoardActions } from './board-actions.tsx'
import { CertificateTrustModal } from './certificate-trust-modal.tsx'
import { NodeSlotCard } from './node-slot-card.tsx'
import { useBoardFailures } from './use-board-failures.ts'
import { useBoardStatus } from './use-board-status.ts'
import { useSlotNodes } from './use-slot-nodes.ts'

export interface BoardViewProps {
  board: Board
  onBack(): void
}

export function BoardView({ board, onBack }: BoardViewProps) {
  const failures = useBoardFailures()
  const { status, failure, refresh } = useBoardStatus(board.id, failures.reviewCertificate)
  const jobs = useFlashJobs(board.id)
  const clusterNodes = useSlotNodes(board.name)
  // Nothing can be sent to a BMC that does not answer: say why instead of offering actions that fail.
  const unavailable = failure
    ? failure.certificate
      ? "the BMC's certificate is not trusted (see above)"
      : 'the BMC does not answer (see above)'
    : undefined
  const conflicts = nodeNumbers.filter((slot) => (clusterNodes[slot]?.length ?? 0) > 1)
  const [consoleNode, setConsoleNode] = useState<NodeNumber>()
  const [historyNode, setHistoryNode] = useState<NodeNumber>()
  // Bumped after a certificate is trusted, so the panels that failed ask again.
  const [trustRound, setTrustRound] = useState(0)

  return (
    <Stack gap="lg" data-testid="board-view" data-board-name={board.name}>
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Breadcrumbs>
            <Anchor component="button" type="button" size="sm" onClick={onBack}>
              Boards
            </Anchor>
            <Text size="sm">{board.name}</Text>
          </Breadcrumbs>
          <Title order={2}>{board.name}</Title>
          <Text size="sm" c="dimmed" ff="monospace">
            {board.address}
          </Text>
        </Stack>
        <BoardActions
          board={board}
          clusterNodes={clusterNodes}
          unavailable={unavailable}
          onChanged={refresh}
          onFailure={failures.report}
        />
      </Group>

      {failure && (
        <Alert
          color="red"
          icon={<IconAlertTriangle size={18} />}
          title={failure.message}
          data-testid="board-error"
        >
          <Stack gap="xs" align="flex-start">
            {failure.hint && <Text size="sm">{failure.hint}</Text>}
            {failure.certificate && (
              <Button
                size="xs"
                variant="white"
                color="red"
                onClick={() => failure.certificate && failures.reviewCertificate(failure.certificate)}
              >
                Review the certificate
              </Button>
            )}
          </Stack>
        </Alert>
      )}

      {conflicts.length > 0 && (
        <Alert
          color="orange"
          icon={<IconAlertTriangle size={18} />}
          title="Profiles claim the same slots"
          data-testid="slot-conflicts"
        >
          <Stack gap={2}>
            {conflicts.map((slot) => (
              <Text key={slot} size="sm">
                Slot {slot}:{' '}
                {clusterNodes[slot]!.map((claim) => `${claim.hostname} of ${claim.profileName}`).join(', ')}
              </Text>
            ))}
            <Text size="sm">
              Deploying one of these profiles overwrites the others' nodes. Move one in its profile.
            </Text>
          </Stack>
        </Alert>
      )}

      <SimpleGrid cols={{ base: 1, md: 2, xl: 4 }} data-testid="node-slots">
        {nodeNumbers.map((node) => (
          <NodeSlotCard
            key={node}
            board={board}
            node={node}
            status={status?.nodes.find((candidate) => candidate.node === node)}
            usb={status?.usb}
            job={jobs[node]}
            clusterNodes={clusterNodes[node]}
            unavailable={unavailable}
            onChanged={refresh}
            onFailure={failures.report}
            onOpenConsole={setConsoleNode}
            onOpenHistory={setHistoryNode}
          />
        ))}
      </SimpleGrid>

      <LibraryShelf />

      <BmcInfoPanel key={trustRound} board={board} />

      <CertificateTrustModal
        board={board}
        problem={failures.certificate}
        onClose={failures.closeCertificate}
        onTrusted={() => {
          setTrustRound((round) => round + 1)
          refresh()
        }}
        onFailure={failures.report}
      />
      <ConsoleDrawer
        board={board}
        node={consoleNode}
        onClose={() => setConsoleNode(undefined)}
        onFailure={failures.report}
      />
      <FlashHistoryModal board={board} node={historyNode} onClose={() => setHistoryNode(undefined)} />
    </Stack>
  )
}
