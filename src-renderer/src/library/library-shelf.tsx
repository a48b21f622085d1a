// The library beside a board's slots: each image a card to drag onto a slot, which then asks to
// flash it. The images stay in the cache; nothing is uploaded again.
import { Card, Group, Paper, Stack, Text, Title } from '@mantine/core'
import { IconGripVertical, IconLibraryPhoto } from '@tabler/icons-react'
import { formatBytes } from '../../../src-shared/progress/progress.ts'
import { startImageDrag } from './image-drag.ts'
import { imageOsText } from './image-facts.ts'
import { useImageLibrary } from './use-image-library.ts'

export function LibraryShelf() {
  const { images } = useImageLibrary()
  if (!images) return null
  return (
    <Card withBorder padding="md" data-testid="library-shelf">
      <Stack gap="sm">
        <Group gap="xs">
          <IconLibraryPhoto size={18} />
          <Title order={4}>Image library</Title>
          <Text size="sm" c="dimmed">
            {images.length > 0
              ? 'Drag an image onto a node slot to flash it.'
              : 'Empty: add images on the Image library page, then drag them onto a slot here.'}
          </Text>
        </Group>
        {images.length > 0 && (
          <Group gap="sm">
            {images.map((image) => (
              <Paper
                key={image.sha256}
                withBorder
                px="sm"
                py={6}
                radius="md"
                draggable
                onDragStart={(event) => startImageDrag(event.dataTransfer, image)}
                style={{ cursor: 'grab' }}
                data-testid="shelf-image"
                data-image-name={image.name}
              >
                <Group gap={6} wrap="nowrap">
                  <IconGripVertical size={14} color="var(--mantine-color-dimmed)" aria-hidden />
                  <Stack gap={0}>
                    <Text size="sm" fw={600} ff="monospace">
                      {image.name}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {[formatBytes(image.sizeBytes), imageOsText(image)].filter(Boolean).join(' · ')}
                    </Text>
                  </Stack>
                </Group>
              </Paper>
            ))}
          </Group>
        )}
      </Stack>
    </Card>
  )
}
