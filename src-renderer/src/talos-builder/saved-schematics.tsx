// Schematics kept by name for reuse: save the current one, load one back into the form, forget one.
import { ActionIcon, Badge, Button, Card, Group, Stack, Text, TextInput, Title, Tooltip } from '@mantine/core'
import { IconDeviceFloppy, IconTrash, IconUpload } from '@tabler/icons-react'
import { useCallback, useEffect, useState } from 'react'
import type { SavedSchematic } from '../../../src-shared/contract/talos-factory.ts'
import type { Schematic } from '../../../src-shared/talos/schematic.ts'
import { call, errorText } from '../bridge/bridge.ts'
import { FailureAlert } from '../common/failure-alert.tsx'
import { notifyDone, notifyFailure } from '../common/notify-failure.ts'
import { useConfirmation } from '../common/use-confirmation.tsx'

export interface SavedSchematicsProps {
  /** The form's schematic; null while it is invalid. */
  schematic: Schematic | null
  onLoad(saved: SavedSchematic): void
}

export function SavedSchematics({ schematic, onLoad }: SavedSchematicsProps) {
  const [saved, setSaved] = useState<SavedSchematic[]>()
  const [error, setError] = useState<{ message: string; hint?: string }>()
  const [name, setName] = useState('')
  const [saving, setSaving] = useState(false)
  const { ask, modal } = useConfirmation()

  const reload = useCallback(async () => {
    try {
      setSaved(await call('factory.schematics.list', {}))
      setError(undefined)
    } catch (failure) {
      setError(errorText(failure))
    }
  }, [])
  useEffect(() => void reload(), [reload])

  async function save() {
    if (!schematic) return
    setSaving(true)
    try {
      const result = await call('factory.schematics.save', { name, schematic })
      notifyDone(`Saved the schematic ${result.name}.`)
      setName('')
      await reload()
    } catch (failure) {
      notifyFailure(failure)
    } finally {
      setSaving(false)
    }
  }

  function askRemove(entry: SavedSchematic) {
    ask({
      title: 'Forget this schematic?',
      body: `The saved schematic ${entry.name} is removed. Images built from it stay in the library.`,
      confirmLabel: 'Forget the schematic',
      keepLabel: 'Keep it',
      color: 'red',
      action: async () => {
        try {
          await call('factory.schematics.remove', { name: entry.name })
          await reload()
        } catch (failure) {
          notifyFailure(failure)
        }
      },
    })
  }

  return (
    <Card withBorder padding="lg" data-testid="saved-schematics">
      <Stack gap="sm">
        <Title order={4}>Saved schematics</Title>
        <Group align="flex-end" gap="xs">
          <TextInput
            label="Save as"
            placeholder="rk1-longhorn"
            value={name}
            onChange={(event) => setName(event.currentTarget.value)}
            flex={1}
            name="schematic-name"
          />
          <Button
            leftSection={<IconDeviceFloppy size={16} />}
            variant="default"
            disabled={!schematic || name.trim() === ''}
            loading={saving}
            onClick={() => void save()}
          >
            Save
          </Button>
        </Group>
        {error && <FailureAlert failure={error} />}
        {saved?.length === 0 && (
          <Text size="sm" c="dimmed">
            None yet. A saved schematic keeps its ID and the factory's confirmation.
          </Text>
        )}
        {saved?.map((entry) => (
          <Group
            key={entry.name}
            justify="space-between"
            wrap="nowrap"
            data-testid="saved-schematic"
            data-name={entry.name}
          >
            <Stack gap={0} miw={0}>
              <Group gap="xs">
                <Text fw={600} size="sm">
                  {entry.name}
                </Text>
                {entry.mismatch ? (
                  <Badge size="xs" color="red">
                    mismatch
                  </Badge>
                ) : entry.confirmedId ? (
                  <Badge size="xs" color="teal" variant="light">
                    confirmed
                  </Badge>
                ) : null}
              </Group>
              <Text size="xs" c="dimmed" ff="monospace" truncate="end">
                {entry.confirmedId ?? entry.id}
              </Text>
            </Stack>
            <Group gap={4} wrap="nowrap">
              <Button
                size="compact-sm"
                variant="light"
                leftSection={<IconUpload size={14} />}
                onClick={() => onLoad(entry)}
              >
                Load
              </Button>
              <Tooltip label="Forget">
                <ActionIcon
                  variant="subtle"
                  color="red"
                  aria-label={`Forget ${entry.name}`}
                  onClick={() => askRemove(entry)}
                >
                  <IconTrash size={16} />
                </ActionIcon>
              </Tooltip>
            </Group>
          </Group>
        ))}
      </Stack>
      {modal}
    </Card>
  )
}
