// The keychain state is never hidden: when secrets cannot be kept, or a fallback keeps them, the
// user sees why on every screen.
import { Alert } from '@mantine/core'
import { IconKey } from '@tabler/icons-react'
import type { SecretsStatus } from '../../../src-shared/contract/system.ts'

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
      {status.notice}
    </Alert>
  )
}
