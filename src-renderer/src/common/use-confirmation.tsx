// Ask-then-act for actions whose confirmation is fixed text: `ask()` opens the shared ConfirmModal,
// and the component renders `modal` once.
import { useState, type ReactNode } from 'react'
import { ConfirmModal } from './confirm-modal.tsx'

export interface Confirmation {
  title: string
  body: ReactNode
  confirmLabel: string
  /** The safe choice's name: what staying with it keeps. */
  keepLabel: string
  color?: string
  action(): Promise<void>
}

export function useConfirmation(): { ask(confirmation: Confirmation): void; modal: ReactNode } {
  const [pending, setPending] = useState<Confirmation>()
  const modal = (
    <ConfirmModal
      opened={pending !== undefined}
      title={pending?.title ?? ''}
      confirmLabel={pending?.confirmLabel ?? ''}
      keepLabel={pending?.keepLabel ?? ''}
      color={pending?.color}
      onConfirm={() => pending?.action() ?? Promise.resolve()}
      onClose={() => setPending(undefined)}
    >
      {pending?.body}
    </ConfirmModal>
  )
  return { ask: setPending, modal }
}
