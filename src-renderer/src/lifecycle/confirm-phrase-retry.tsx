// A failed step that waits for a typed confirmation before something destructive (erasing a drive
// that holds data, docs/k3s-bootstrap.md): the phrase to type, a field for it, and the retry that
// passes it on — enabled only once the field holds exactly the phrase.
import { Button, Group, Stack, Text, TextInput } from '@mantine/core'
import { IconRefresh } from '@tabler/icons-react'
import { useId, useState } from 'react'

export interface ConfirmPhraseRetryProps {
  phrase: string
  onRetry(confirm: string): void
}

export function ConfirmPhraseRetry({ phrase, onRetry }: ConfirmPhraseRetryProps) {
  const [typed, setTyped] = useState('')
  const hintId = useId()
  const matches = typed.trim() === phrase
  return (
    <Stack
      gap={4}
      component="form"
      data-testid="confirm-phrase"
      onSubmit={(event) => {
        event.preventDefault()
        if (matches) onRetry(typed.trim())
      }}
    >
      <Text size="sm" id={hintId}>
        To go on, type <b>{phrase}</b>
      </Text>
      <Group gap="xs" wrap="nowrap" align="flex-end">
        <TextInput
          size="xs"
          aria-label="Confirmation phrase"
          aria-describedby={hintId}
          autoComplete="off"
          spellCheck={false}
          value={typed}
          onChange={(event) => setTyped(event.currentTarget.value)}
          style={{ flex: 1 }}
        />
        <Button
          size="xs"
          color="red"
          type="submit"
          disabled={!matches}
          leftSection={<IconRefresh size={12} />}
        >
          Confirm and retry
        </Button>
      </Group>
    </Stack>
  )
}
