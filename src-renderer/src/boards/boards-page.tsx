import { Alert, Badge, Button, Card, Group, Loader, Stack, Table, Text, Title } from '@mantine/core'
import { notifications } from '@mantine/notifications'
import { IconCpu, IconPencil, IconPlus } from '@tabler/icons-react'
import { useState } from 'react'
import type { Board } from '../../../src-shared/boards/board-schemas.ts'
import { call } from '../bridge/bridge.ts'
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

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Boards</Title>
        <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing({ mode: 'add' })}>
          Add board
        </Button>
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
                  {board.hasPassword ? (
                    <Badge color="teal" variant="light">
                      in keychain
                    </Badge>
                  ) : (
                    <Badge color="red" variant="light">
                      missing
                    </Badge>
                  )}
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
