import { Alert, Badge, Button, Card, Group, Loader, Stack, Table, Text, Title } from '@mantine/core'
import { notifications } from '@mantine/notifications'
import { IconCpu, IconPencil, IconPlayerStop, IconPlus } from '@tabler/icons-react'
import { useEffect, useState } from 'react'
import type { VirtualBoardStatus } from '../../../src-shared/contract/virtual-board.ts'
import type { Board } from '../../../src-shared/boards/board-schemas.ts'
import { bridge, call } from '../bridge/bridge.ts'
import { notifyDone, notifyFailure } from '../common/notify-failure.ts'
import { RowActions } from '../common/row-actions.tsx'
import { useConfirmation, type Confirmation } from '../common/use-confirmation.tsx'
import { StartVirtualBoardModal } from '../virtual-board/start-virtual-board-modal.tsx'
import { BoardFormModal } from './board-form-modal.tsx'
import { useBoards } from './use-boards.ts'
import { BoardUsedBy } from './board-used-by.tsx'

type Editing = { mode: 'add' } | { mode: 'edit'; board: Board } | undefined

export interface BoardsPageProps {
  onOpenBoard(board: Board): void
}

export function BoardsPage({ onOpenBoard }: BoardsPageProps) {
  const { boards, error } = useBoards()
  const [editing, setEditing] = useState<Editing>()
  const { ask, modal } = useConfirmation()
  const [startingVirtual, setStartingVirtual] = useState(false)
  const virtual = useVirtualBoardStatus()

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Boards</Title>
        <Group gap="sm">
          {virtual?.running ? (
            <StopVirtualBoardButton />
          ) : (
            boards?.length !== 0 && (
              <Button
                variant="default"
                leftSection={<IconCpu size={16} />}
                onClick={() => setStartingVirtual(true)}
                data-testid="start-virtual-board"
              >
                Start virtual board
              </Button>
            )
          )}
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing({ mode: 'add' })}>
            Add board
          </Button>
        </Group>
      </Group>

      {error && (
        <Alert color="red" title={error.message} data-testid="boards-error">
          {error.hint}
        </Alert>
      )}
      {!boards && !error && <Loader />}
      {boards?.length === 0 && (
        <Card withBorder padding="xl" data-testid="boards-empty">
          <Stack align="center" gap="xs">
            <Text fw={600}>No boards yet</Text>
            <Text c="dimmed" size="sm">
              Add a Turing Pi board with its BMC address and credentials. The password goes to your OS
              keychain.
            </Text>
            <Text c="dimmed" size="sm">
              No board at hand? The virtual board simulates one on this computer.
            </Text>
            <Button
              mt="sm"
              variant="light"
              leftSection={<IconCpu size={16} />}
              onClick={() => setStartingVirtual(true)}
            >
              Try the virtual board
            </Button>
          </Stack>
        </Card>
      )}
      {boards && boards.length > 0 && (
        <Table striped highlightOnHover data-testid="boards-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>BMC address</Table.Th>
              <Table.Th>User</Table.Th>
              <Table.Th>Password</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {boards.map((board) => (
              <Table.Tr
                key={board.id}
                data-testid="board-row"
                data-board-name={board.name}
                style={{ cursor: 'pointer' }}
                onClick={() => onOpenBoard(board)}
              >
                <Table.Td fw={600}>{board.name}</Table.Td>
                <Table.Td ff="monospace">{board.address}</Table.Td>
                <Table.Td>{board.user}</Table.Td>
                <Table.Td>
                  <PasswordBadge board={board} virtual={virtual} />
                </Table.Td>
                <Table.Td>
                  <RowActions
                    secondary={{
                      label: 'Edit',
                      icon: <IconPencil size={14} />,
                      onClick: () => setEditing({ mode: 'edit', board }),
                    }}
                    removeLabel="Remove"
                    onRemove={() => ask(removeBoardConfirmation(board))}
                    onOpen={() => onOpenBoard(board)}
                  />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}

      <BoardFormModal
        opened={editing !== undefined}
        board={editing?.mode === 'edit' ? editing.board : undefined}
        onClose={() => setEditing(undefined)}
        onSaved={(board) => {
          setEditing(undefined)
          notifications.show({ color: 'teal', message: `Saved board "${board.name}".` })
        }}
      />
      {modal}
      <StartVirtualBoardModal
        opened={startingVirtual}
        onClose={() => setStartingVirtual(false)}
        onStarted={(board) => {
          setStartingVirtual(false)
          onOpenBoard(board)
        }}
      />
    </Stack>
  )
}

function removeBoardConfirmation(board: Board): Confirmation {
  return {
    title: 'Remove board?',
    body: (
      <Stack>
        <Text>
          Clusterdeck forgets <b>{board.name}</b> ({board.address}) and deletes its BMC password from the
          keychain. The board itself is not touched.
        </Text>
        <BoardUsedBy board={board} />
      </Stack>
    ),
    confirmLabel: 'Remove',
    keepLabel: 'Keep the board',
    color: 'red',
    async action() {
      try {
        await call('boards.remove', { id: board.id })
        notifyDone(`Removed board "${board.name}".`)
      } catch (error) {
        notifyFailure(error)
      }
    },
  }
}

/** Whether the built-in virtual board runs, kept current by the core's events. */
function useVirtualBoardStatus(): VirtualBoardStatus | undefined {
  const [status, setStatus] = useState<VirtualBoardStatus>()
  useEffect(() => {
    call('virtualBoard.status', {}).then(setStatus, () => undefined)
    return bridge.subscribe('virtualBoard.changed', setStatus)
  }, [])
  return status
}

function PasswordBadge({ board, virtual }: { board: Board; virtual: VirtualBoardStatus | undefined }) {
  if (board.kind === 'virtual') {
    return (
      <Badge color={virtual?.running ? 'teal' : 'gray'} variant="light">
        {virtual?.running ? 'virtual, running' : 'virtual, stopped'}
      </Badge>
    )
  }
  if (board.credentialsRefused) {
    return (
      <Badge color="red" variant="light" title={board.credentialsRefused.message}>
        refused by the BMC
      </Badge>
    )
  }
  return board.hasPassword ? (
    <Badge color="teal" variant="light">
      in keychain
    </Badge>
  ) : (
    <Badge color="red" variant="light">
      missing
    </Badge>
  )
}

function StopVirtualBoardButton() {
  const [busy, setBusy] = useState(false)
  async function stop() {
    setBusy(true)
    try {
      await call('virtualBoard.stop', {})
      notifyDone('The virtual board stopped. It starts again with the app.')
    } catch (error) {
      notifyFailure(error)
    } finally {
      setBusy(false)
    }
  }
  return (
    <Button
      variant="default"
      leftSection={<IconPlayerStop size={16} />}
      loading={busy}
      onClick={() => void stop()}
      data-testid="stop-virtual-board"
    >
      Stop virtual board
    </Button>
  )
}
