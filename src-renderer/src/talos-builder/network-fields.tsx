// The node's static network baked into the image as META key 10: optional, and it makes the image
// one node's own (talos-images.md, step 5).
import { Group, Stack, Switch, Text, TextInput } from '@mantine/core'
import type { ChangeEvent } from 'react'
import type { TalosBoard } from '../../../src-shared/talos/boards.ts'
import { monoInput } from '../profiles/field-issues.tsx'
import { emptyNetwork, type NetworkForm } from './builder-choices.ts'

export interface NetworkFieldsProps {
  board: TalosBoard
  value: NetworkForm | null
  issues: Record<string, string> | null
  onChange(value: NetworkForm | null): void
}

export function NetworkFields({ board, value, issues, onChange }: NetworkFieldsProps) {
  const field = (name: keyof NetworkForm) => ({
    value: value?.[name] ?? '',
    error: issues?.[name],
    onChange: (event: ChangeEvent<HTMLInputElement>) => {
      const text = event.currentTarget.value
      if (value) onChange({ ...value, [name]: text })
    },
  })
  return (
    <Stack gap="xs">
      <Switch
        label="Static network for one node (META key 10)"
        description="Boots straight onto its address without DHCP. One image per node."
        checked={value !== null}
        onChange={(event) => onChange(event.currentTarget.checked ? emptyNetwork(board) : null)}
        data-testid="static-network"
      />
      {value && (
        <Stack gap="xs" pl="xl">
          <Group grow align="flex-start">
            <TextInput
              label="Address"
              placeholder="10.0.0.11/24"
              styles={monoInput}
              name="address"
              {...field('address')}
            />
            <TextInput label="Interface" placeholder={board.link} name="link" {...field('link')} />
          </Group>
          <Group grow align="flex-start">
            <TextInput label="Gateway" placeholder="10.0.0.1" name="gateway" {...field('gateway')} />
            <TextInput label="Hostname" placeholder="rk1-node-1" name="hostname" {...field('hostname')} />
          </Group>
          <TextInput
            label="DNS servers"
            placeholder="1.1.1.1, 9.9.9.9"
            name="resolvers"
            {...field('resolvers')}
          />
          <Text size="xs" c="dimmed">
            Talos names interfaces predictably (eth0 on most VMs, end0 on SBCs): check with talosctl get links
            --insecure.
          </Text>
        </Stack>
      )}
    </Stack>
  )
}
