// The cached images, most recently used first. A row is dragged by its handle onto a board slot to
// flash it; pin keeps it out of the size limit's eviction, delete asks first.
import { ActionIcon, Badge, Group, Stack, Table, Text, Tooltip } from '@mantine/core'
import { IconGripVertical, IconPin, IconPinnedFilled, IconTrash } from '@tabler/icons-react'
import type { CachedImage } from '../../../src-shared/images/image-schemas.ts'
import { formatBytes } from '../../../src-shared/progress/progress.ts'
import { call } from '../bridge/bridge.ts'
import { notifyFailure } from '../common/notify-failure.ts'
import { useConfirmation } from '../common/use-confirmation.tsx'
import { startImageDrag } from './image-drag.ts'
import { imageOsText } from './image-facts.ts'

export function ImageTable({ images }: { images: CachedImage[] }) {
  const { ask, modal } = useConfirmation()

  async function setPinned(image: CachedImage, pinned: boolean) {
    try {
      await call('images.pin', { ref: image.sha256, pinned })
    } catch (error) {
      notifyFailure(error)
    }
  }

  function askRemove(image: CachedImage) {
    ask({
      title: 'Delete this image?',
      body: (
        <Stack gap="xs">
          <Text ff="monospace" fw={600} style={{ wordBreak: 'break-all' }}>
            {image.name}
          </Text>
          <Text size="sm">
            Frees {formatBytes(image.sizeBytes)}. Profiles that use it will download or ask for it again.
          </Text>
        </Stack>
      ),
      confirmLabel: 'Delete the image',
      keepLabel: 'Keep the image',
      color: 'red',
      action: async () => {
        try {
          await call('images.remove', { ref: image.sha256 })
        } catch (error) {
          // E.g. `conflict` while a flash reads it: the core says which and what to do.
          notifyFailure(error)
        }
      },
    })
  }

  return (
    <>
      <Table highlightOnHover verticalSpacing="sm" data-testid="image-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={28} />
            <Table.Th>Image</Table.Th>
            <Table.Th ta="right">Size</Table.Th>
            <Table.Th>Added</Table.Th>
            <Table.Th>Last used</Table.Th>
            <Table.Th w={90} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {images.map((image) => (
            <Table.Tr
              key={image.sha256}
              draggable
              onDragStart={(event) => startImageDrag(event.dataTransfer, image)}
              style={{ cursor: 'grab' }}
              data-testid="image-row"
              data-image-name={image.name}
              data-sha256={image.sha256}
              data-pinned={image.pinned}
            >
              <Table.Td>
                <IconGripVertical size={16} color="var(--mantine-color-dimmed)" aria-hidden />
              </Table.Td>
              <Table.Td miw={260}>
                <Stack gap={4}>
                  <Group gap="xs">
                    <Text fw={600} ff="monospace" size="sm" style={{ wordBreak: 'break-all' }}>
                      {image.name}
                    </Text>
                    {image.pinned && (
                      <Badge
                        size="xs"
                        variant="light"
                        color="teal"
                        leftSection={<IconPinnedFilled size={10} />}
                        style={{ flexShrink: 0 }}
                      >
                        pinned
                      </Badge>
                    )}
                  </Group>
                  <Group gap="xs">
                    {imageOsText(image) && (
                      <Badge size="sm" variant="default" tt="none" data-testid="image-os">
                        {imageOsText(image)}
                      </Badge>
                    )}
                    <Text size="xs" c="dimmed" ff="monospace" title={image.sha256}>
                      {image.sha256.slice(0, 12)}
                    </Text>
                    {image.sourceUrl && (
                      <Text size="xs" c="dimmed" truncate="end" maw={360} title={image.sourceUrl}>
                        {new URL(image.sourceUrl).host}
                      </Text>
                    )}
                  </Group>
                </Stack>
              </Table.Td>
              <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                <Text size="sm" fw={500} data-testid="image-size">
                  {formatBytes(image.sizeBytes)}
                </Text>
                {image.packedSizeBytes !== null && (
                  <Text size="xs" c="dimmed">
                    {formatBytes(image.packedSizeBytes)} packed
                  </Text>
                )}
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <DateCell iso={image.addedAt} />
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <DateCell iso={image.lastUsedAt} />
              </Table.Td>
              <Table.Td>
                <Group gap={4} justify="flex-end" wrap="nowrap">
                  <Tooltip label={image.pinned ? 'Unpin: may be evicted' : 'Pin: never evicted'}>
                    <ActionIcon
                      variant={image.pinned ? 'light' : 'subtle'}
                      color={image.pinned ? 'teal' : 'gray'}
                      aria-label={image.pinned ? `Unpin ${image.name}` : `Pin ${image.name}`}
                      onClick={() => void setPinned(image, !image.pinned)}
                    >
                      {image.pinned ? <IconPinnedFilled size={16} /> : <IconPin size={16} />}
                    </ActionIcon>
                  </Tooltip>
                  <Tooltip label="Delete">
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      aria-label={`Delete ${image.name}`}
                      onClick={() => askRemove(image)}
                    >
                      <IconTrash size={16} />
                    </ActionIcon>
                  </Tooltip>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {modal}
    </>
  )
}

function DateCell({ iso }: { iso: string }) {
  const date = new Date(iso)
  return (
    <Stack gap={0}>
      <Text size="sm">{date.toLocaleDateString(undefined, { dateStyle: 'medium' })}</Text>
      <Text size="xs" c="dimmed">
        {date.toLocaleTimeString(undefined, { timeStyle: 'short' })}
      </Text>
    </Stack>
  )
}
