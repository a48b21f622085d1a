// A profile from YAML, chosen as a file or pasted: checked as it arrives, so the problems show
// before anything is saved.
import { Button, FileButton, Group, Modal, Stack, Text, Textarea } from '@mantine/core'
import { IconFileImport } from '@tabler/icons-react'
import { useEffect, useMemo, useState } from 'react'
import type { SavedProfile } from '../../../src-shared/profiles/profile-schema.ts'
import { AppError } from '../../../src-shared/contract/app-error.ts'
import { call, errorText } from '../bridge/bridge.ts'
import { FailureAlert } from '../common/failure-alert.tsx'
import { notifyDone } from '../common/notify-failure.ts'
import { useConfirmation, type Confirmation } from '../common/use-confirmation.tsx'
import { IssueLines } from './field-issues.tsx'
import { countBySeverity } from './profile-issues.ts'
import { useProfileValidation } from './use-profile-validation.ts'

export interface ImportProfileModalProps {
  opened: boolean
  onClose(): void
  onImported(saved: SavedProfile): void
}

export function ImportProfileModal({ opened, onClose, onImported }: ImportProfileModalProps) {
  const [yaml, setYaml] = useState('')
  const [fileName, setFileName] = useState<string>()
  const [busy, setBusy] = useState(false)
  const [failure, setFailure] = useState<{ message: string; hint?: string }>()
  const input = useMemo(() => (yaml.trim() === '' ? null : { yaml }), [yaml])
  const validation = useProfileValidation(input)
  const { errors } = countBySeverity(validation.issues)
  const { ask, modal } = useConfirmation()

  useEffect(() => {
    if (!opened) return
    setYaml('')
    setFileName(undefined)
    setFailure(undefined)
  }, [opened])

  async function pick(file: File | null) {
    if (!file) return
    setFileName(file.name)
    setYaml(await file.text())
  }

  async function importYaml(onConflict: 'refuse' | 'replace') {
    setBusy(true)
    setFailure(undefined)
    try {
      const { saved, warnings } = await call('profiles.importYaml', { yaml, onConflict })
      notifyDone(
        `Imported profile "${saved.name}"${warnings.length > 0 ? ` with ${warnings.length} warning(s)` : ''}.`,
      )
      onImported(saved)
    } catch (error) {
      const name = error instanceof AppError && error.code === 'conflict' ? error.details?.name : undefined
      if (name) ask(replaceConfirmation(name, () => importYaml('replace')))
      else setFailure(errorText(error))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal opened={opened} onClose={onClose} title="Import a profile" centered size="xl">
      <Stack data-testid="import-profile-form">
        <Group justify="space-between">
          <Text size="sm" c="dimmed">
            Choose a YAML file exported from Clusterdeck, or paste its text. If a profile of the same name is
            saved, you are asked before it is replaced.
          </Text>
          <FileButton onChange={(file) => void pick(file)} accept=".yaml,.yml,text/yaml">
            {(props) => (
              <Button variant="light" leftSection={<IconFileImport size={16} />} {...props}>
                Choose a file…
              </Button>
            )}
          </FileButton>
        </Group>
        <Textarea
          label={fileName ? `From ${fileName}` : 'Profile YAML'}
          placeholder={'apiVersion: clusterdeck/v1\nkind: ClusterProfile\nname: homelab\n…'}
          autosize
          minRows={10}
          maxRows={22}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
          value={yaml}
          onChange={(event) => setYaml(event.currentTarget.value)}
          name="profile-yaml"
        />
        {validation.issues.length > 0 && (
          <Stack gap={2} data-testid="import-issues">
            <IssueLines
              issues={validation.issues.map((issue) => ({
                ...issue,
                message: issue.path ? `${issue.path}: ${issue.message}` : issue.message,
              }))}
            />
          </Stack>
        )}
        {failure && <FailureAlert failure={failure} />}
        <Group justify="space-between">
          <Text size="sm" c={errors > 0 ? 'red' : 'dimmed'} data-testid="import-status">
            {input === null
              ? ''
              : validation.checking
                ? 'Checking…'
                : errors > 0
                  ? `${errors} error${errors === 1 ? '' : 's'}: fix the YAML before importing`
                  : validation.failure
                    ? validation.failure.message
                    : 'Ready to import'}
          </Text>
          <Group gap="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button
              loading={busy}
              disabled={input === null || errors > 0 || validation.checking}
              onClick={() => void importYaml('refuse')}
            >
              Import
            </Button>
          </Group>
        </Group>
      </Stack>
      {modal}
    </Modal>
  )
}

function replaceConfirmation(name: string, replace: () => Promise<void>): Confirmation {
  return {
    title: `Replace the profile "${name}"?`,
    body: `A profile named "${name}" is already saved. Importing replaces what it says with this YAML; its past runs stay in the history.`,
    confirmLabel: 'Replace it',
    keepLabel: 'Keep the saved one',
    color: 'red',
    action: replace,
  }
}
