// A new profile starts from one of the seed's clusters: pick the template, name the cluster and
// choose the board its four nodes sit on.
import { Button, Group, Modal, Radio, Select, Stack, Text, TextInput } from '@mantine/core'
import { useEffect, useState } from 'react'
import type { RequestOutput } from '../../../src-shared/contract/index.ts'
import type { SavedProfile } from '../../../src-shared/profiles/profile-schema.ts'
import type { ProfileTemplateId } from '../../../src-shared/profiles/profile-templates.ts'
import { call, errorText } from '../bridge/bridge.ts'
import { useBoards } from '../boards/use-boards.ts'
import { FailureAlert } from '../common/failure-alert.tsx'
import { monoInput } from './field-issues.tsx'

type Template = RequestOutput<'profiles.templates'>[number]

export interface NewProfileModalProps {
  opened: boolean
  onClose(): void
  onCreated(saved: SavedProfile): void
}

export function NewProfileModal({ opened, onClose, onCreated }: NewProfileModalProps) {
  const { boards } = useBoards()
  const [templates, setTemplates] = useState<Template[]>()
  const [template, setTemplate] = useState<string>()
  const [name, setName] = useState('')
  const [board, setBoard] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [failure, setFailure] = useState<{ message: string; hint?: string }>()

  useEffect(() => {
    if (!opened) return
    setFailure(undefined)
    setName('')
    call('profiles.templates', {}).then(
      (list) => {
        setTemplates(list)
        setTemplate((current) => current ?? list[0]?.id)
      },
      (error: unknown) => setFailure(errorText(error)),
    )
  }, [opened])

  // The only board is the obvious choice.
  useEffect(() => {
    if (opened && board === null && boards?.length === 1) setBoard(boards[0]?.name ?? null)
  }, [opened, board, boards])

  async function create() {
    if (!template || !board) return
    setBusy(true)
    setFailure(undefined)
    try {
      const { saved } = await call('profiles.fromTemplate', {
        template: template as ProfileTemplateId,
        name: name.trim(),
        board,
      })
      onCreated(saved)
    } catch (error) {
      setFailure(errorText(error))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal opened={opened} onClose={onClose} title="New cluster profile" centered size="lg">
      <Stack data-testid="new-profile-form">
        <Radio.Group label="Start from" value={template ?? null} onChange={setTemplate}>
          <Stack gap="xs" mt={6}>
            {templates?.map((candidate) => (
              <Radio.Card
                key={candidate.id}
                value={candidate.id}
                p="sm"
                radius="md"
                data-template={candidate.id}
              >
                <Group wrap="nowrap" align="flex-start">
                  <Radio.Indicator mt={2} />
                  <div>
                    <Text fw={600} size="sm">
                      {candidate.title}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {candidate.description}
                    </Text>
                  </div>
                </Group>
              </Radio.Card>
            ))}
          </Stack>
        </Radio.Group>
        <TextInput
          label="Cluster name"
          description="Lower-case letters, digits and dashes"
          placeholder="homelab"
          styles={monoInput}
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          name="profile-name"
          data-autofocus
        />
        <Select
          label="Board"
          description="The saved board whose four slots become the nodes"
          placeholder={
            boards?.length === 0 ? 'No boards saved yet: add one on the Boards page' : 'Choose a board'
          }
          data={boards?.map((candidate) => candidate.name) ?? []}
          value={board}
          onChange={setBoard}
          name="profile-board"
        />
        {failure && <FailureAlert failure={failure} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            loading={busy}
            disabled={!template || !board || name.trim() === ''}
            onClick={() => void create()}
          >
            Create profile
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}
