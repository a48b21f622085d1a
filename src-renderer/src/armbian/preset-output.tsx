// A generated preset file: to copy, or save and place on the node. It holds passwords, so it lives
// only in this view and is gone when the form changes or the page closes.
import { Button, Code, Group, ScrollArea, Stack, Text } from '@mantine/core'
import { IconDownload } from '@tabler/icons-react'
import { CopyIconButton } from '../common/copy-icon-button.tsx'
import { downloadText } from '../profiles/download-text.ts'

export function PresetFile({ path, content, hostname }: { path: string; content: string; hostname: string }) {
  const fileName = `${hostname}${path.slice(path.lastIndexOf('/') + 1)}`
  return (
    <Stack gap={4} data-testid="preset-file" data-path={path}>
      <Group justify="space-between">
        <Text size="sm" fw={600} ff="monospace">
          {path}
        </Text>
        <Group gap={4}>
          <CopyIconButton value={content} label={path} />
          <Button
            size="compact-sm"
            variant="subtle"
            leftSection={<IconDownload size={14} />}
            onClick={() => downloadText(fileName, content)}
          >
            Save
          </Button>
        </Group>
      </Group>
      <ScrollArea.Autosize mah={320}>
        <Code block data-testid="preset-text">
          {content}
        </Code>
      </ScrollArea.Autosize>
    </Stack>
  )
}
