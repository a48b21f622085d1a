// App-wide settings. For now: the external tools the cluster phases run.
import { Stack, Title } from '@mantine/core'
import { ToolsSection } from './tools-section.tsx'

export function SettingsPage() {
  return (
    <Stack gap="lg" data-testid="settings-page">
      <Title order={2}>Settings</Title>
      <ToolsSection />
    </Stack>
  )
}
