// The buttons at the end of a clickable table row (boards, profiles): one secondary action, remove,
// and open. The row itself opens too, so clicks on these buttons stop there.
import { Button, Group } from '@mantine/core'
import { IconChevronRight, IconTrash } from '@tabler/icons-react'
import type { ReactNode } from 'react'

export interface RowActionsProps {
  secondary: { label: string; icon: ReactNode; onClick(): void }
  removeLabel: string
  onRemove(): void
  onOpen(): void
}

export function RowActions({ secondary, removeLabel, onRemove, onOpen }: RowActionsProps) {
  return (
    <Group gap="xs" justify="flex-end" wrap="nowrap" onClick={(event) => event.stopPropagation()}>
      <Button size="xs" variant="subtle" leftSection={secondary.icon} onClick={secondary.onClick}>
        {secondary.label}
      </Button>
      <Button size="xs" variant="subtle" color="red" leftSection={<IconTrash size={14} />} onClick={onRemove}>
        {removeLabel}
      </Button>
      <Button size="xs" variant="light" rightSection={<IconChevronRight size={14} />} onClick={onOpen}>
        Open
      </Button>
    </Group>
  )
}
