// The keychain state is never hidden: when secrets cannot be kept, or a fallback keeps them, the
// user sees why on every screen.
import { Alert, Code, Group, Stack, Text } from '@mantine/core'
import { IconKey } from '@tabler/icons-react'
import type { SecretsStatus } from '../../../src-shared/contract/system.ts'
import { CopyIconButton } from '../common/copy-icon-button.tsx'

export function SecretsNotice({ status }: { status: SecretsStatus }) {
  if (!status.notice) return null
  return (
    <Alert
      mb="lg"
      color={status.available ? 'yellow' : 'red'}
      icon={<IconKey size={18} />}
      title={status.available ? `Passwords are kept by ${status.backend}` : 'No keychain available'}
      data-testid="secrets-notice"
    >
      <Stack gap="xs">
        <Text size="sm">{status.notice}</Text>
        {status.fix && (
          <Group gap="xs" wrap="nowrap" align="flex-start">
            <Code block style={{ flex: 1, whiteSpace: 'pre-wrap' }} data-testid="secrets-fix">
              {status.fix}
            </Code>
            <CopyIconButton value={status.fix} label="the command" />
          </Group>
        )}
      </Stack>
    </Alert>
  )
}
