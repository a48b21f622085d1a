// The way in for someone without a Turing Pi: a simulated BMC on this machine that behaves like a
// real one (firmware quirks, eMMC speed, serial boot logs), saved as a board like any other.
import { Alert, Button, Group, Modal, NumberInput, SegmentedControl, Stack, Text } from '@mantine/core'
import { useState } from 'react'
import type { Board } from '../../../src-shared/boards/board-schemas.ts'
import { call, errorText } from '../bridge/bridge.ts'

export interface StartVirtualBoardModalProps {
  opened: boolean
  onClose(): void
  onStarted(board: Board): void
}

type Firmware = '2.1' | '2.0.5'

export function StartVirtualBoardModal({ opened, onClose, onStarted }: StartVirtualBoardModalProps) {
  const [firmware, setFirmware] = useState<Firmware>('2.1')
  const [speed, setSpeed] = useState<number>(25)
  const [starting, setStarting] = useState(false)
  const [failure, setFailure] = useState<{ message: string; hint?: string }>()

  async function start() {
    setStarting(true)
    setFailure(undefined)
    try {
      onStarted(await call('virtualBoard.start', { firmware, writeSpeedMBps: speed }))
    } catch (error) {
      setFailure(errorText(error))
    } finally {
      setStarting(false)
    }
  }

  return (
    <Modal opened={opened} onClose={onClose} title="Try the virtual board" centered>
      <Stack data-testid="virtual-board-form">
        <Text size="sm">
          Clusterdeck starts a simulated Turing Pi BMC on this computer, reachable only from here. Its four
          nodes power on, print boot logs on their serial consoles and take flashes like real ones; the
          written bytes go nowhere.
        </Text>
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            BMC firmware
          </Text>
          <SegmentedControl
            value={firmware}
            onChange={(value) => setFirmware(value as Firmware)}
            data={[
              { value: '2.1', label: '2.1 (current)' },
              { value: '2.0.5', label: '2.0.5 (older)' },
            ]}
          />
        </Stack>
        <NumberInput
          label="eMMC write speed"
          description="A real CM4 writes about 5 MB/s; 0 writes as fast as this computer can."
          suffix=" MB/s"
          min={0}
          max={10_000}
          value={speed}
          onChange={(value) => setSpeed(typeof value === 'number' ? value : Number(value) || 0)}
          name="writeSpeedMBps"
        />
        {failure && (
          <Alert color="red" title={failure.message}>
            {failure.hint}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button loading={starting} onClick={() => void start()}>
            Start the virtual board
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}
