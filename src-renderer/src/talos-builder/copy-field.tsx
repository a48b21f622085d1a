// A value to copy as it is: an ID, a URL, an image reference.
import { Code, Group, Stack, Text } from '@mantine/core'
import { CopyIconButton } from '../common/copy-icon-button.tsx'

export function CopyField({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" fw={700} tt="uppercase">
        {label}
      </Text>
      <Group gap={4} wrap="nowrap" align="flex-start">
        <Code block flex={1} style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }} data-testid={testId}>
          {value}
        </Code>
        <CopyIconButton value={value} label={label} />
      </Group>
    </Stack>
  )
}
