// Where a factory list came from: fetched just now, or the cached copy because the factory could
// not be reached (and why).
import { Group, Text, Tooltip } from '@mantine/core'
import { IconCloudCheck, IconCloudOff } from '@tabler/icons-react'

export interface CatalogueSourceProps {
  source: 'factory' | 'cache'
  fetchedAt: string | null
  unavailable: string | null
}

export function CatalogueSource({ source, fetchedAt, unavailable }: CatalogueSourceProps) {
  const when = fetchedAt ? new Date(fetchedAt).toLocaleString() : 'an earlier session'
  if (!unavailable)
    return (
      <Group gap={4} data-testid="catalogue-source" data-source={source}>
        <IconCloudCheck size={14} color="var(--mantine-color-teal-6)" />
        <Text size="xs" c="dimmed">
          {source === 'factory' ? 'from the Image Factory' : `cached ${when}`}
        </Text>
      </Group>
    )
  return (
    <Tooltip label={unavailable} multiline w={320}>
      <Group gap={4} data-testid="catalogue-source" data-source="offline">
        <IconCloudOff size={14} color="var(--mantine-color-orange-6)" />
        <Text size="xs" c="orange">
          offline: cached copy from {when}
        </Text>
      </Group>
    </Tooltip>
  )
}
