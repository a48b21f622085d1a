// A browser hands the image to the core before the flash can be queued: show that hand-off, and
// let the user stop it.
import { Button, Group, Progress, Stack, Text } from '@mantine/core'
import { IconPlayerStop } from '@tabler/icons-react'
import { formatBytes } from '../../../src-shared/progress/progress.ts'
import type { SendProgress } from './send-image.ts'

export interface UploadProgressProps {
  fileName: string
  progress: SendProgress | undefined
  onCancel(): void
}

export function UploadProgress({ fileName, progress, onCancel }: UploadProgressProps) {
  const importing = progress?.stage === 'importing'
  const percent = progress && progress.bytesTotal > 0 ? (progress.bytesSent / progress.bytesTotal) * 100 : 0
  return (
    <Stack gap={8} data-testid="upload-progress">
      <Group justify="space-between" wrap="nowrap" gap="xs" align="flex-start">
        <Text size="sm" fw={600} ff="monospace" truncate="end" title={fileName} miw={0} flex={1}>
          {fileName}
        </Text>
        <Button
          size="compact-sm"
          variant="light"
          color="red"
          leftSection={<IconPlayerStop size={14} />}
          onClick={onCancel}
          disabled={importing}
          style={{ flexShrink: 0 }}
        >
          Cancel
        </Button>
      </Group>
      <Progress
        value={importing ? 100 : percent}
        striped
        animated
        size="lg"
        color="gray"
        aria-label={`Handing ${fileName} to Clusterdeck`}
      />
      <Text size="xs" c="dimmed">
        {importing
          ? 'Unpacking and checking the image…'
          : progress
            ? `Handing the image to Clusterdeck: ${formatBytes(progress.bytesSent)} of ${formatBytes(progress.bytesTotal)}`
            : 'Handing the image to Clusterdeck…'}
      </Text>
    </Stack>
  )
}
