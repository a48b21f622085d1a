// The one confirmation dialog of the app: what will happen, then the safe choice or the action. Both
// buttons say what they do ("Keep flashing" / "Stop the flash": a bare "Cancel" next to "Cancel the
// flash" reads both ways), and the safe one has the focus, so Enter right after opening changes
// nothing. The action's button shows it is busy until the action settles; the caller decides what
// a failure means.
import { Button, Group, Modal, Stack } from '@mantine/core'
import { useState, type ReactNode } from 'react'

export interface ConfirmModalProps {
  opened: boolean
  title: string
  children: ReactNode
  confirmLabel: string
  /** The safe choice, named for what it keeps ("Keep node 1 on"); it closes the dialog. */
  keepLabel: string
  /** Red for actions that destroy or interrupt something. */
  color?: string
  /** Keeps the action out of reach until the dialog's own check passes (a typed name). */
  confirmDisabled?: boolean
  /** Wider for a dialog that shows a plan. */
  size?: string
  onConfirm(): Promise<void>
  onClose(): void
}

export function ConfirmModal({
  opened,
  title,
  children,
  confirmLabel,
  keepLabel,
  color,
  confirmDisabled = false,
  size = 'lg',
  onConfirm,
  onClose,
}: ConfirmModalProps) {
  const [busy, setBusy] = useState(false)
  async function confirm() {
    setBusy(true)
    try {
      await onConfirm()
    } finally {
      setBusy(false)
      onClose()
    }
  }
  return (
    <Modal opened={opened} onClose={onClose} title={title} centered size={size} data-testid="confirm-modal">
      <Stack>
        {children}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} disabled={busy} data-autofocus>
            {keepLabel}
          </Button>
          <Button color={color} loading={busy} disabled={confirmDisabled} onClick={() => void confirm()}>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}
