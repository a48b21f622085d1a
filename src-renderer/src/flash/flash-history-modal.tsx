// Every recorded flash of one node, newest first: what was written, how it ended, whether the BMC
// verified it, how long it took and when.
import { Badge, Loader, Modal, Table, Text } from '@mantine/core'
import { useEffect, useState } from 'react'
import type { Board } from '../../../src-shared/boards/board-schemas.ts'
import type { NodeNumber } from '../../../src-shared/bmc/node-number.ts'
import type { FlashRecord } from '../../../src-shared/flash/flash-schemas.ts'
import { formatBytes, formatDuration } from '../../../src-shared/progress/progress.ts'
import { call, errorText } from '../bridge/bridge.ts'
import { FailureAlert } from '../common/failure-alert.tsx'
import { inWords } from '../common/error-words.ts'

export interface FlashHistoryModalProps {
  board: Board
  /** The node whose history is shown; the modal is open while there is one. */
  node: NodeNumber | undefined
  onClose(): void
}

const outcomeColors: Record<FlashRecord['outcome'], string> = {
  done: 'teal',
  failed: 'red',
  cancelled: 'gray',
  interrupted: 'orange',
}

export function FlashHistoryModal({ board, node, onClose }: FlashHistoryModalProps) {
  const [records, setRecords] = useState<FlashRecord[]>()
  const [failure, setFailure] = useState<{ message: string; hint?: string }>()

  useEffect(() => {
    if (node === undefined) return
    let active = true
    setRecords(undefined)
    setFailure(undefined)
    call('flash.history', { boardId: board.id, node }).then(
      (list) => active && setRecords(list),
      (error: unknown) => active && setFailure(errorText(error)),
    )
    return () => {
      active = false
    }
  }, [board.id, node])

  return (
    <Modal
      opened={node !== undefined}
      onClose={onClose}
      title={`Flash history of node ${node ?? ''} · ${board.name}`}
      size="xl"
      centered
    >
      {failure && <FailureAlert failure={failure} />}
      {!records && !failure && <Loader size="sm" />}
      {records?.length === 0 && (
        <Text c="dimmed">Node {node} has not been flashed with Clusterdeck yet.</Text>
      )}
      {records && records.length > 0 && (
        <Table striped data-testid="flash-history">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>When</Table.Th>
              <Table.Th>Image</Table.Th>
              <Table.Th>Outcome</Table.Th>
              <Table.Th>Verified</Table.Th>
              <Table.Th>Took</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {records.map((record) => (
              <Table.Tr key={record.id} data-testid="flash-history-row" data-outcome={record.outcome}>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  {new Date(record.finishedAt).toLocaleString()}
                </Table.Td>
                <Table.Td>
                  <Text size="sm" ff="monospace">
                    {record.imageName}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {formatBytes(record.imageSizeBytes)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge color={outcomeColors[record.outcome]} variant="light">
                    {record.outcome}
                  </Badge>
                  {record.outcome !== 'done' && record.message && (
                    <Text size="xs" c="dimmed" mt={4}>
                      {record.failedPhase ? `${record.failedPhase}: ` : ''}
                      {inWords(record.message)}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{record.verified ? 'yes' : 'no'}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDuration(record.durationSeconds)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Modal>
  )
}
