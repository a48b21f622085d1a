// The cluster's secrets exported for offsite keeping (docs/backups.md): encrypted by the core with
// age to a passphrase, typed twice, or to an age recipient, and saved as the file the core made.
// The secrets themselves never reach the page: only the encrypted file and the names inside.
import { Button, Group, Modal, PasswordInput, SegmentedControl, Stack, Text, TextInput } from '@mantine/core'
import { useState } from 'react'
import type { RequestInput } from '../../../src-shared/contract/index.ts'
import { call, errorText } from '../bridge/bridge.ts'
import { FailureAlert } from '../common/failure-alert.tsx'
import { notifyDone } from '../common/notify-failure.ts'
import { downloadText } from '../profiles/download-text.ts'

type KeyKind = 'passphrase' | 'ageRecipient'

// Mantine's error red on white falls below the contrast text needs: a darker red, and the typed
// dots in the text colour.
const readableError = {
  input: { color: 'var(--mantine-color-text)' },
  error: { color: 'var(--mantine-color-red-9)' },
}

export interface ExportSecretsModalProps {
  clusterName: string
  clusterId: string
  opened: boolean
  onClose(): void
}

export function ExportSecretsModal({ clusterName, clusterId, opened, onClose }: ExportSecretsModalProps) {
  const [kind, setKind] = useState<KeyKind>('passphrase')
  const [passphrase, setPassphrase] = useState('')
  const [repeated, setRepeated] = useState('')
  const [recipient, setRecipient] = useState('')
  const [busy, setBusy] = useState(false)
  const [failure, setFailure] = useState<{ message: string; hint?: string }>()
  const mismatch = repeated.length > 0 && repeated !== passphrase ? 'The two passphrases differ' : undefined
  const ready =
    kind === 'passphrase' ? passphrase.length > 0 && repeated === passphrase : recipient.trim().length > 0

  function close() {
    // Nothing typed outlives the dialog.
    setPassphrase('')
    setRepeated('')
    setRecipient('')
    setFailure(undefined)
    onClose()
  }

  async function exportSecrets() {
    const to: RequestInput<'clusters.exportSecrets'>['to'] =
      kind === 'passphrase' ? { passphrase } : { ageRecipient: recipient.trim() }
    setBusy(true)
    setFailure(undefined)
    try {
      const exported = await call('clusters.exportSecrets', { ref: clusterId, to })
      downloadText(exported.fileName, exported.content)
      notifyDone(`Saved ${exported.fileName}, encrypted with age: ${exported.names.join(', ')}`)
      close()
    } catch (error) {
      setFailure(errorText(error))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal opened={opened} onClose={close} title={`Export the secrets of ${clusterName}`} centered size="lg">
      <form
        onSubmit={(event) => {
          event.preventDefault()
          if (ready && !busy) void exportSecrets()
        }}
      >
        <Stack>
          <Text size="sm">
            The Talos secrets bundle, talosconfig and kubeconfig (for K3s the token and SSH key) in one file,
            encrypted with age, for a rebuild with clusterdeck restore. Keep it away from the cluster.
          </Text>
          <SegmentedControl
            aria-label="Encrypt to"
            value={kind}
            onChange={(value) => setKind(value as KeyKind)}
            data={[
              { value: 'passphrase', label: 'A passphrase' },
              { value: 'ageRecipient', label: 'An age recipient' },
            ]}
          />
          {kind === 'passphrase' ? (
            <>
              <PasswordInput
                label="Passphrase"
                description="12 characters at least; several words are easier to keep"
                value={passphrase}
                onChange={(event) => setPassphrase(event.currentTarget.value)}
                autoComplete="new-password"
                data-autofocus
              />
              <PasswordInput
                label="The passphrase again"
                value={repeated}
                onChange={(event) => setRepeated(event.currentTarget.value)}
                error={mismatch}
                styles={readableError}
                autoComplete="new-password"
              />
            </>
          ) : (
            <TextInput
              label="age recipient"
              description="A public key from age-keygen (age1…)"
              placeholder="age1…"
              value={recipient}
              onChange={(event) => setRecipient(event.currentTarget.value)}
              autoComplete="off"
              spellCheck={false}
              data-autofocus
            />
          )}
          {failure && <FailureAlert failure={failure} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={close} disabled={busy}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} disabled={!ready}>
              Export and save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  )
}
