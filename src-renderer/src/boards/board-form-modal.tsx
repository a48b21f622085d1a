// Add or edit a board. Input is checked with the same schemas the core applies, so mistakes show
// under the field before anything is sent; the core's own errors (a duplicate name, a keychain
// failure) show with their hint.
import { Alert, Button, Group, Modal, PasswordInput, Stack, TextInput } from '@mantine/core'
import { useEffect, useState, type FormEvent } from 'react'
import type { z } from 'zod'
import {
  addBoardInputSchema,
  updateBoardInputSchema,
  type Board,
} from '../../../src-shared/boards/board-schemas.ts'
import { call, errorText } from '../bridge/bridge.ts'

type Field = 'name' | 'address' | 'user' | 'password'
type Values = Record<Field, string>

const emptyValues: Values = { name: '', address: '', user: 'root', password: '' }

export interface BoardFormModalProps {
  opened: boolean
  /** The board to edit; absent when adding. */
  board?: Board
  onClose(): void
  onSaved(board: Board): void
}

export function BoardFormModal({ opened, board, onClose, onSaved }: BoardFormModalProps) {
  const [values, setValues] = useState<Values>(emptyValues)
  const [fieldErrors, setFieldErrors] = useState<Partial<Values>>({})
  const [failure, setFailure] = useState<{ message: string; hint?: string }>()
  const [saving, setSaving] = useState(false)

  useEffect(() => {
    if (!opened) return
    setValues(
      board ? { name: board.name, address: board.address, user: board.user, password: '' } : emptyValues,
    )
    setFieldErrors({})
    setFailure(undefined)
  }, [opened, board])

  // Read the value now: React clears currentTarget once the handler returns, before the updater runs.
  const set = (field: Field) => (event: { currentTarget: { value: string } }) => {
    const { value } = event.currentTarget
    setValues((current) => ({ ...current, [field]: value }))
  }

  async function submit(event: FormEvent) {
    event.preventDefault()
    const input = board
      ? { id: board.id, ...values, password: values.password === '' ? undefined : values.password }
      : values
    const parsed = (board ? updateBoardInputSchema : addBoardInputSchema).safeParse(input)
    if (!parsed.success) {
      setFieldErrors(fieldErrorsOf(parsed.error))
      return
    }
    setFieldErrors({})
    setFailure(undefined)
    setSaving(true)
    try {
      const saved = board
        ? await call('boards.update', input as z.input<typeof updateBoardInputSchema>)
        : await call('boards.add', values)
      onSaved(saved)
    } catch (error) {
      setFailure(errorText(error))
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal opened={opened} onClose={onClose} title={board ? `Edit ${board.name}` : 'Add a board'} centered>
      <form onSubmit={submit} noValidate data-testid="board-form">
        <Stack>
          <TextInput
            label="Name"
            placeholder="rack-1"
            required
            data-autofocus
            value={values.name}
            onChange={set('name')}
            error={fieldErrors.name}
            name="name"
          />
          <TextInput
            label="BMC address"
            description="Host name or IP address of the board's BMC, e.g. turingpi.local or 192.168.1.90"
            placeholder="turingpi.local"
            required
            value={values.address}
            onChange={set('address')}
            error={fieldErrors.address}
            name="address"
          />
          <TextInput
            label="BMC user"
            required
            value={values.user}
            onChange={set('user')}
            error={fieldErrors.user}
            name="user"
          />
          <PasswordInput
            label="BMC password"
            description={
              board ? 'Leave empty to keep the saved password.' : 'Stored in your OS keychain, never on disk.'
            }
            required={!board}
            value={values.password}
            onChange={set('password')}
            error={fieldErrors.password}
            name="password"
            autoComplete="new-password"
          />
          {failure && (
            <Alert color="red" title={failure.message} data-testid="board-form-error">
              {failure.hint}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={saving}>
              {board ? 'Save' : 'Add board'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  )
}

function fieldErrorsOf(error: z.ZodError): Partial<Values> {
  const errors: Partial<Values> = {}
  for (const issue of error.issues) {
    const field = issue.path[0] as Field | undefined
    if (field && !errors[field]) errors[field] = `${label(field)} ${issue.message}`
  }
  return errors
}

function label(field: Field): string {
  return { name: 'The name', address: 'The address', user: 'The user', password: 'The password' }[field]
}
