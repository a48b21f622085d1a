// A node's serial console. Where the BMC has a serial WebSocket (FW 2.1) the core relays it: output
// arrives as events, every key typed in the terminal (Ctrl-C and other control keys included) goes
// to the node at once. Older firmware only reads the BMC's buffer (once a second, de-duplicated by
// the core) and sends whole lines with CR LF, so the terminal edits a line locally and sends it on
// Enter, and says that single keys cannot be sent. The log can be copied or saved either way.
import { Alert, Box, Button, Group, TextInput } from '@mantine/core'
import { IconCopy, IconDeviceFloppy, IconInfoCircle, IconSend } from '@tabler/icons-react'
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react'
import type { Board } from '../../../src-shared/boards/board-schemas.ts'
import type { NodeNumber } from '../../../src-shared/bmc/node-number.ts'
import type { RequestOutput } from '../../../src-shared/contract/index.ts'
import { bridge, call, errorText } from '../bridge/bridge.ts'
import { FailureAlert } from '../common/failure-alert.tsx'
import { notifyDone, notifyFailure } from '../common/notify-failure.ts'
import { usePolling } from '../common/use-polling.ts'
import { downloadText } from '../profiles/download-text.ts'
import { useXterm } from './use-xterm.ts'

export interface UartConsoleProps {
  board: Board
  node: NodeNumber
  onFailure(error: unknown): void
}

type Mode = RequestOutput<'bmc.serial.attach'>

const uartIntervalMs = 1000
/** The core closes a socket nobody renewed for 30 s. */
const renewIntervalMs = 10_000
const gapNotice =
  '\r\n\x1b[33m[… earlier console output was lost: more arrived than the BMC keeps …]\x1b[0m\r\n'
const noKeysNotice =
  '\r\n\x1b[33m[this firmware cannot send single keys such as Ctrl-C: type a line and press Enter]\x1b[0m\r\n'
/** Enough for copying and saving; the terminal keeps its own scrollback. */
const keptChars = 512 * 1024

export function UartConsole({ board, node, onFailure }: UartConsoleProps) {
  const { container, terminal } = useXterm()
  const offset = useRef(0)
  const [received, setReceived] = useState('')
  const [failure, setFailure] = useState<{ message: string; hint?: string }>()
  const [mode, setMode] = useState<Mode>()
  const [line, setLine] = useState('')
  const [sending, setSending] = useState(false)
  // Keys are sent one request after another so they reach the node in the order typed.
  const sendQueue = useRef<Promise<void>>(Promise.resolve())
  // What is typed in the terminal in line mode, not yet sent.
  const pendingLine = useRef('')

  const show = useCallback(
    (text: string) => {
      terminal?.write(text)
      setReceived((current) => (current + text).slice(-keptChars))
    },
    [terminal],
  )

  const attach = useCallback(async () => {
    try {
      const attached = await call('bmc.serial.attach', { boardId: board.id, node })
      setMode((current) =>
        current?.mode === attached.mode && current.reason === attached.reason ? current : attached,
      )
      setFailure(undefined)
    } catch (error) {
      setFailure(errorText(error))
    }
  }, [board.id, node])
  const renew = usePolling(attach, renewIntervalMs, terminal !== undefined)

  // Line mode, and the text already in the BMC's buffer in socket mode: the transcript.
  const read = useCallback(async () => {
    try {
      const {
        text,
        offset: next,
        gap,
      } = await call('bmc.uart.read', { boardId: board.id, node, since: offset.current })
      offset.current = next
      setFailure(undefined)
      if (gap) show(gapNotice)
      if (text) show(text)
    } catch (error) {
      setFailure(errorText(error))
    }
  }, [board.id, node, show])
  usePolling(read, uartIntervalMs, terminal !== undefined && mode?.mode === 'lines')

  const socketMode = terminal !== undefined && mode?.mode === 'socket'
  useEffect(() => {
    if (!socketMode) return
    // What the BMC kept from before the socket opened; later output comes as events.
    void read()
    const stopOutput = bridge.subscribe('bmc.serial.output', (event) => {
      if (event.boardId === board.id && event.node === node) show(event.text)
    })
    const stopClosed = bridge.subscribe('bmc.serial.closed', (event) => {
      if (event.boardId === board.id && event.node === node) renew()
    })
    return () => {
      stopOutput()
      stopClosed()
    }
  }, [socketMode, board.id, node, show, renew, read])

  const sendKeys = useCallback(
    (data: string) => {
      sendQueue.current = sendQueue.current.then(() =>
        call('bmc.serial.send', { boardId: board.id, node, data }).then(
          () => undefined,
          (error: unknown) => {
            setFailure(errorText(error))
            renew()
          },
        ),
      )
      return sendQueue.current
    },
    [board.id, node, renew],
  )

  const sendLine = useCallback(
    async (text: string) => {
      if (mode?.mode === 'socket') await sendKeys(`${text}\r`)
      else await call('bmc.uart.send', { boardId: board.id, node, line: text })
    },
    [board.id, mode?.mode, node, sendKeys],
  )

  useEffect(() => {
    if (!terminal) return
    // Tab belongs to the node (completion), so Shift+Tab is the keyboard's way out of the terminal;
    // Ctrl+Shift+C copies the selection as in desktop terminals (Ctrl+C goes to the node).
    terminal.attachCustomKeyEventHandler((event) => {
      if (event.type !== 'keydown') return true
      if (event.key === 'Tab' && event.shiftKey) return false
      if (event.ctrlKey && event.shiftKey && event.key.toLowerCase() === 'c') {
        event.preventDefault()
        void copySelection()
        return false
      }
      return true
    })
  })

  useEffect(() => {
    if (!terminal || !mode) return
    const typed = terminal.onData((data) => {
      if (mode.mode === 'socket') return void sendKeys(data)
      for (const key of data) {
        if (key === '\r') {
          const text = pendingLine.current
          pendingLine.current = ''
          terminal.write('\r\n')
          sendLine(text).catch(onFailure)
        } else if (key === '\x7f' || key === '\b') {
          if (pendingLine.current) {
            pendingLine.current = pendingLine.current.slice(0, -1)
            terminal.write('\b \b')
          }
        } else if (key < ' ') {
          terminal.write(noKeysNotice)
        } else {
          pendingLine.current += key
          terminal.write(key)
        }
      }
    })
    return () => typed.dispose()
  }, [terminal, mode, sendKeys, sendLine, onFailure])

  async function submit(event: FormEvent) {
    event.preventDefault()
    setSending(true)
    try {
      await sendLine(line)
      setLine('')
    } catch (error) {
      onFailure(error)
    } finally {
      setSending(false)
    }
  }

  async function copySelection() {
    const selected = terminal?.getSelection() || received
    try {
      await navigator.clipboard.writeText(selected)
      notifyDone(terminal?.hasSelection() ? 'Copied the selection.' : 'Copied the whole log.')
    } catch (error) {
      notifyFailure(error)
    }
  }

  return (
    <Box>
      {failure && <FailureAlert failure={failure} mb="sm" />}
      {mode?.mode === 'lines' && mode.reason && (
        <Alert color="yellow" icon={<IconInfoCircle size={18} />} mb="sm" data-testid="uart-line-mode">
          {mode.reason}
        </Alert>
      )}
      <Group gap="xs" mb="xs" justify="space-between">
        <Box fz="xs" c="dimmed" data-testid="uart-mode" data-mode={mode?.mode ?? 'connecting'}>
          {mode === undefined
            ? 'Connecting…'
            : mode.mode === 'socket'
              ? 'Live: keys go to the node as you type. Shift+Tab leaves the terminal, Ctrl+Shift+C copies.'
              : 'Line by line: type a line and press Enter. Shift+Tab leaves the terminal.'}
        </Box>
        <Group gap="xs">
          <Button
            size="xs"
            variant="default"
            leftSection={<IconCopy size={14} />}
            onClick={() => void copySelection()}
          >
            Copy selection
          </Button>
          <Button
            size="xs"
            variant="default"
            leftSection={<IconDeviceFloppy size={14} />}
            onClick={() => downloadText(`${board.name}-node-${node}-console.log`, received)}
          >
            Save log
          </Button>
        </Group>
      </Group>
      <Box
        ref={container}
        h="calc(100dvh - 240px)"
        mih={240}
        p={6}
        bg="#141517"
        style={{ borderRadius: 'var(--mantine-radius-md)', overflow: 'hidden' }}
        data-testid="uart-terminal"
      />
      <pre hidden data-testid="uart-text">
        {received}
      </pre>
      <form onSubmit={(event) => void submit(event)}>
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
