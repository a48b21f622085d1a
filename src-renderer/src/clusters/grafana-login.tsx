// Grafana's admin login, sealed when monitoring was installed: fetched from the core only when the
// user presses Show, held in this component alone, and gone again on Hide.
import { Button, Code, Group, Text } from '@mantine/core'
import { IconEye, IconEyeOff } from '@tabler/icons-react'
import { useState } from 'react'
import { call } from '../bridge/bridge.ts'
import { CopyIconButton } from '../common/copy-icon-button.tsx'
import { notifyFailure } from '../common/notify-failure.ts'

export function GrafanaLogin({ clusterName }: { clusterName: string }) {
  const [login, setLogin] = useState<{ user: string; password: string }>()

  async function show() {
    try {
      setLogin(await call('clusters.addonSecret', { ref: clusterName, addon: 'monitoring' }))
    } catch (error) {
      notifyFailure(error)
    }
  }

  return (
    <Group gap="sm" data-testid="grafana-login">
      <Text size="sm">Grafana admin login:</Text>
      {login ? (
        <>
          <Code>{login.user}</Code>
          <Code data-testid="grafana-password">{login.password}</Code>
          <CopyIconButton value={login.password} label="Grafana password" />
          <Button
            size="xs"
            variant="default"
            leftSection={<IconEyeOff size={14} />}
            onClick={() => setLogin(undefined)}
          >
            Hide
          </Button>
        </>
      ) : (
        <Button size="xs" variant="default" leftSection={<IconEye size={14} />} onClick={() => void show()}>
          Show the Grafana password
        </Button>
      )}
    </Group>
  )
}
