// Why the kernel branch matters on the RK1: only Rockchip's vendor kernel drives the RK3588 NPU the
// way RKNN and RKLLM need. The texts are the shared ones, so the CLI says the same.
import { Alert, Badge, Group, SimpleGrid, Stack, Text, ThemeIcon } from '@mantine/core'
import { IconCpu, IconCpuOff } from '@tabler/icons-react'
import { kernelBranches, type NpuSupport } from '../../../src-shared/armbian/armbian-schemas.ts'

export function NpuTradeOff({ tradeOff }: { tradeOff: string }) {
  return (
    <Alert
      color="blue"
      variant="light"
      icon={<IconCpu size={20} />}
      title="Kernel branch and the NPU"
      data-testid="npu-trade-off"
    >
      <Stack gap="sm">
        <Text size="sm">{tradeOff}</Text>
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
          {(['vendor', 'current'] as const).map((branch) => (
            <Group key={branch} gap="sm" align="flex-start" wrap="nowrap">
              <ThemeIcon
                variant="light"
                color={kernelBranches[branch].npu === 'rknpu' ? 'teal' : 'gray'}
                size="lg"
              >
                {kernelBranches[branch].npu === 'rknpu' ? <IconCpu size={18} /> : <IconCpuOff size={18} />}
              </ThemeIcon>
              <Stack gap={2}>
                <Group gap="xs">
                  <Text fw={600} size="sm">
                    {kernelBranches[branch].label}
                  </Text>
                  <NpuBadge npu={kernelBranches[branch].npu} />
                </Group>
                <Text size="xs">{kernelBranches[branch].summary}</Text>
              </Stack>
            </Group>
          ))}
        </SimpleGrid>
      </Stack>
    </Alert>
  )
}

export function NpuBadge({ npu }: { npu: NpuSupport }) {
  return npu === 'rknpu' ? (
    <Badge size="sm" color="teal" variant="light" leftSection={<IconCpu size={12} />}>
      NPU: RKNPU
    </Badge>
  ) : (
    <Badge size="sm" color="gray" variant="light" leftSection={<IconCpuOff size={12} />}>
      no RKNPU
    </Badge>
  )
}
