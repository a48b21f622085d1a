// What the library holds against its size limit, and the limit itself, edited in place. Beyond
// the limit the least recently used unpinned images are evicted at the next import or download;
// a flash may take the library over it (docs/image-library.md), which is shown, not hidden.
import { Button, Card, Group, NumberInput, Popover, Progress, Stack, Text } from '@mantine/core'
import { IconAdjustments } from '@tabler/icons-react'
import { useState } from 'react'
import type { ImageUsage } from '../../../src-shared/images/image-schemas.ts'
import { formatBytes } from '../../../src-shared/progress/progress.ts'
import { call } from '../bridge/bridge.ts'
import { notifyFailure } from '../common/notify-failure.ts'

const GiB = 1024 ** 3

export function LibraryUsage({ usage, onChanged }: { usage: ImageUsage; onChanged(): void }) {
  const limit = usage.sizeLimitBytes
  const percent = limit ? Math.min(100, (usage.totalBytes / limit) * 100) : 0
  const pinnedPercent = limit ? Math.min(100, (usage.pinnedBytes / limit) * 100) : 0
  const overBytes = limit ? Math.max(0, usage.totalBytes - limit) : 0
  return (
    <Card withBorder padding="md" data-testid="library-usage">
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start">
          <Stack gap={0}>
            <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
              In the library
            </Text>
            <Text fw={700} size="lg" data-testid="library-total">
              {formatBytes(usage.totalBytes)}
              <Text span c="dimmed" fw={400} size="sm">
                {' '}
                in {usage.imageCount} image{usage.imageCount === 1 ? '' : 's'}
                {usage.pinnedBytes > 0 && ` · ${formatBytes(usage.pinnedBytes)} pinned`}
                {usage.heldBytes > 0 && ` · ${formatBytes(usage.heldBytes)} held by flashes`}
              </Text>
            </Text>
          </Stack>
          <SizeLimitEditor limit={limit} onChanged={onChanged} />
        </Group>
        {limit ? (
          <Progress.Root size="md">
            <Progress.Section
              value={pinnedPercent}
              color={overBytes > 0 ? 'red.8' : 'teal.7'}
              aria-label={
                overBytes > 0 ? 'Pinned images, over the size limit' : 'Pinned images of the size limit'
              }
            />
            <Progress.Section
              value={Math.max(0, percent - pinnedPercent)}
              color={overBytes > 0 ? 'red.9' : 'teal.4'}
              aria-label={
                overBytes > 0 ? 'Other images, over the size limit' : 'Other images of the size limit'
              }
            />
          </Progress.Root>
        ) : null}
        {overBytes > 0 && (
          <Text size="sm" data-testid="library-over-limit">
            <Text span fw={700}>
              {formatBytes(overBytes)} over the limit.
            </Text>{' '}
            Pinned images and images a flash holds are never evicted; the least recently used others go at the
            next import or download.
          </Text>
        )}
      </Stack>
    </Card>
  )
}

function SizeLimitEditor({ limit, onChanged }: { limit: number | null; onChanged(): void }) {
  const [opened, setOpened] = useState(false)
  const [gib, setGib] = useState<number | string>('')
  const [saving, setSaving] = useState(false)

  async function save(sizeLimitBytes: number | null) {
    setSaving(true)
    try {
      await call('images.updateSettings', { sizeLimitBytes })
      setOpened(false)
      onChanged()
    } catch (error) {
      notifyFailure(error)
    } finally {
      setSaving(false)
    }
  }

  const value = typeof gib === 'number' ? gib : Number.NaN
  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-end" withArrow shadow="md" trapFocus>
      <Popover.Target>
        <Button
          variant="default"
          size="xs"
          leftSection={<IconAdjustments size={14} />}
          onClick={() => {
            setGib(limit ? Number((limit / GiB).toFixed(2)) : '')
            setOpened((open) => !open)
          }}
          data-testid="size-limit"
        >
          {limit ? `Limit ${formatBytes(limit)}` : 'No size limit'}
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs" w={260}>
          <NumberInput
            label="Size limit (GiB)"
            description="Least recently used unpinned images are evicted beyond it."
            min={0.1}
            decimalScale={2}
            value={gib}
            onChange={setGib}
            data-autofocus
          />
          <Group justify="space-between">
            <Button variant="subtle" size="xs" color="gray" onClick={() => void save(null)} loading={saving}>
              No limit
            </Button>
            <Button
              size="xs"
              disabled={!(value > 0)}
              loading={saving}
              onClick={() => void save(Math.round(value * GiB))}
            >
              Save limit
            </Button>
          </Group>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  )
}
