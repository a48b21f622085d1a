import { AppShell, Group, NavLink, Text, Title } from '@mantine/core'
import { IconServer2 } from '@tabler/icons-react'
import { BoardsPage } from './boards/boards-page.tsx'
import { SecretsNotice } from './system/secrets-notice.tsx'
import { useSystemInfo } from './system/use-system-info.ts'

export function App() {
  const info = useSystemInfo()
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm' }} padding="lg">
      <AppShell.Header>
        <Group h="100%" px="lg" justify="space-between">
          <Title order={3}>Clusterdeck</Title>
          {info && (
            <Text size="xs" c="dimmed" data-testid="data-dir">
              v{info.version} · data in {info.dataDir}
            </Text>
          )}
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm">
        <NavLink label="Boards" leftSection={<IconServer2 size={18} />} active />
      </AppShell.Navbar>
      <AppShell.Main>
        {info && <SecretsNotice status={info.secrets} />}
        <BoardsPage />
      </AppShell.Main>
    </AppShell>
  )
}
