// The image library: every cached image with its facts, the total against the size limit, imports
// by drag-and-drop and the downloads. Rows are dragged onto a board slot to flash them.
import { Button, Card, Grid, Group, Loader, Stack, Text, Title } from '@mantine/core'
import { notifications } from '@mantine/notifications'
import { IconBrandDebian, IconBox, IconPhotoOff } from '@tabler/icons-react'
import { useEffect } from 'react'
import { bridge } from '../bridge/bridge.ts'
import { FailureAlert } from '../common/failure-alert.tsx'
import { DownloadsPanel } from './downloads-panel.tsx'
import { ImageTable } from './image-table.tsx'
import { ImportZone } from './import-zone.tsx'
import { LibraryUsage } from './library-usage.tsx'
import { useDownloads } from './use-downloads.ts'
import { useImageLibrary } from './use-image-library.ts'

export interface LibraryPageProps {
  onOpenTalosBuilder(): void
  onOpenArmbian(): void
}

export function LibraryPage({ onOpenTalosBuilder, onOpenArmbian }: LibraryPageProps) {
  const { images, usage, error, reload } = useImageLibrary()
  const downloads = useDownloads()
  useEvictionNotices()

  return (
    <Stack gap="lg" data-testid="library-page">
      <Stack gap={2}>
        <Title order={2}>Image library</Title>
        <Text size="sm" c="dimmed">
          Every image is stored once, by the SHA-256 of its raw bytes. Drag a row onto a node slot of a board
          to flash it.
        </Text>
      </Stack>
      {error && <FailureAlert failure={error} data-testid="library-error" />}
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Stack gap="md">
            <ImportZone />
            {!images && !error && <Loader />}
            {images?.length === 0 && (
              <Card withBorder padding="xl" data-testid="library-empty">
                <Stack align="center" gap="xs">
                  <IconPhotoOff size={32} color="var(--mantine-color-dimmed)" />
                  <Text fw={600}>The library is empty</Text>
                  <Text c="dimmed" size="sm" ta="center" maw={520}>
                    Drop an image file above, or build a Talos image or pick an Armbian release and download
                    it here.
                  </Text>
                  <Group mt="xs">
                    <Button variant="light" leftSection={<IconBox size={16} />} onClick={onOpenTalosBuilder}>
                      Talos builder
                    </Button>
                    <Button
                      variant="light"
                      leftSection={<IconBrandDebian size={16} />}
                      onClick={onOpenArmbian}
                    >
                      Armbian for the RK1
                    </Button>
                  </Group>
                </Stack>
              </Card>
            )}
            {images && images.length > 0 && (
              <Card withBorder padding={0}>
                <ImageTable images={images} />
              </Card>
            )}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Stack gap="md">
            {usage && <LibraryUsage usage={usage} onChanged={() => void reload()} />}
            <DownloadsPanel downloads={downloads} />
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  )
}

/** Says which images the size limit pushed out, since they vanish from the list by themselves. */
function useEvictionNotices(): void {
  useEffect(
    () =>
      bridge.subscribe('images.changed', (change) => {
        if (change.reason === 'evicted')
          notifications.show({
            color: 'yellow',
            title: 'Evicted to stay within the size limit',
            message: change.name,
          })
      }),
    [],
  )
}
