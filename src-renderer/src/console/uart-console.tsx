// A node's serial console: the core keeps the transcript, this asks for what is new about once a
// second while the console is open and shows it in a terminal; a line typed below goes to the node.
import { Box, Button, Group, TextInput } from '@mantine/core'
import { IconSend } from '@tabler/icons-react'
import { useCallback, useRef, useState, type FormEvent } from 'react'
import type { Board } from '../../../src-shared/boards/board-schemas.ts'
import type { NodeNumber } from '../../../src-shared/bmc/node-number.ts'
import { call, errorText } from '../bridge/bridge.ts'
import { FailureAlert } from '../common/failure-alert.tsx'
import { usePolling } from '../common/use-polling.ts'
import { useXterm } from './use-xterm.ts'

export interface UartConsoleProps {
  board: Board
  node: NodeNumber
  onFailure(error: unknown): void
}

const uartIntervalMs = 1000
const gapNotice =
  '\r\n\x1b[33m[… earlier console output was lost: more arrived than the BMC keeps …]\x1b[0m\r\n'
/** Enough for the tests and for copying; the terminal keeps its own scrollback. */
const keptChars = 256 * 1024

export function UartConsole({ board, node, onFailure }: UartConsoleProps) {
  const { container, terminal } = useXterm()
  const offset = useRef(0)
  const [received, setReceived] = useState('')
  const [failure, setFailure] = useState<{ message: string; hint?: string }>()
  const [line, setLine] = useState('')
  const [sending, setSending] = useState(false)

  const read = useCallback(async () => {
    if (!terminal) return
    try {
      const {
        text,
        offset: next,
        gap,
      } = await call('bmc.uart.read', {
        boardId: board.id,
        node,
        since: offset.current,
      })
      offset.current = next
      setFailure(undefined)
      if (gap) terminal.write(gapNotice)
      if (text) {
        terminal.write(text)
        setReceived((current) => (current + text).slice(-keptChars))
      }
    } catch (error) {
      setFailure(errorText(error))
    }
  }, [board.id, node, terminal])
  usePolling(read, uartIntervalMs, terminal !== undefined)

  async function send(event: FormEvent) {
    event.preventDefault()
    setSending(true)
    try {
      await call('bmc.uart.send', { boardId: board.id, node, line })
      setLine('')
    } catch (error) {
      onFailure(error)
    } finally {
      setSending(false)
    }
  }

  return (
    <Box>
      {failure && <FailureAlert failure={failure} mb="sm" />}
      <Box
        ref={container}
        h="calc(100dvh - 190px)"
        mih={240}
        p={6}
        bg="#141517"
        style={{ borderRadius: 'var(--mantine-radius-md)', overflow: 'hidden' }}
        data-testid="uart-terminal"
      />
      <pre hidden data-testid="uart-text">
        {received}
      </pre>
      <form onSubmit={(event) => void send(event)}>
        <Group mt="sm" gap="xs" align="flex-end">
          <TextInput
            flex={1}
            aria-label={`Line to send to node ${node}`}
            placeholder="Type a line for the node's console"
            ff="monospace"
            value={line}
            onChange={(event) => setLine(event.currentTarget.value)}
            data-testid="uart-input"
          />
          <Button type="submit" loading={sending} leftSection={<IconSend size={16} />}>
            Send
          </Button>
        </Group>
      </form>
    </Box>
  )
}
