// What the BMC says about itself: firmware, the board, where it is on the network, its storage,
// SD card and fans. Asked once when the view opens; it rarely changes.
import {
  ActionIcon,
  Badge,
  Card,
  Group,
  Loader,
  Progress,
  SimpleGrid,
  Stack,
  Text,
  Title,
  Tooltip,
} from '@mantine/core'
import { IconRefresh } from '@tabler/icons-react'
import { useCallback, useEffect, useState, type ReactNode } from 'react'
import type { BmcInfo } from '../../../src-shared/bmc/bmc-schemas.ts'
import type { Board } from '../../../src-shared/boards/board-schemas.ts'
import { formatBytes } from '../../../src-shared/progress/progress.ts'
import { call, errorText } from '../bridge/bridge.ts'
import { FailureAlert } from '../common/failure-alert.tsx'

export function BmcInfoPanel({ board }: { board: Board }) {
  const [info, setInfo] = useState<BmcInfo>()
  const [failure, setFailure] = useState<{ message: string; hint?: string }>()
  const [loading, setLoading] = useState(false)

  const load = useCallback(async () => {
    setLoading(true)
    try {
      setInfo(await call('bmc.info', { boardId: board.id }))
      setFailure(undefined)
    } catch (error) {
      setFailure(errorText(error))
    } finally {
      setLoading(false)
    }
  }, [board.id])

  useEffect(() => void load(), [load])

  return (
    <Card withBorder padding="lg" data-testid="bmc-info">
      <Group justify="space-between" mb="md">
        <Title order={3}>BMC</Title>
        <Tooltip label="Ask the BMC again">
          <ActionIcon
            variant="subtle"
            aria-label="Refresh BMC info"
            loading={loading}
            onClick={() => void load()}
          >
            <IconRefresh size={18} />
          </ActionIcon>
        </Tooltip>
      </Group>
      {failure && <FailureAlert failure={failure} mb="md" />}
      {!info && !failure && <Loader size="sm" />}
      {info && <BmcInfoSections info={info} />}
    </Card>
  )
}

function BmcInfoSections({ info }: { info: BmcInfo }) {
  const { firmware, capabilities } = info
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="xl" verticalSpacing="lg">
      <Section title="Firmware">
        <Fact label="Release" value={firmware.release} testId="bmc-firmware" />
        <Fact label="Daemon (bmcd)" value={firmware.daemon} />
        {firmware.buildTime && <Fact label="Built" value={firmware.buildTime} />}
        <Group gap={4} mt={4}>
          {capabilities.xz && <CapabilityBadge label="xz images" />}
          {capabilities.skipVerify && <CapabilityBadge label="optional verify" />}
          {capabilities.sha256 && <CapabilityBadge label="sha256 check" />}
        </Group>
      </Section>
      <Section title="Board">
        <Fact label="Model" value={firmware.boardModel ?? 'not reported'} />
        <Fact label="Revision" value={firmware.boardRevision ?? 'not reported'} />
        <Fact label="Host name" value={firmware.hostname ?? 'not reported'} />
      </Section>
      <Section title="Network">
        {info.addresses.length === 0 && <Text size="sm">No addresses reported</Text>}
        {info.addresses.map((address) => (
          <Text size="sm" key={`${address.device}-${address.ip}`}>
            <Text span c="dimmed" size="sm">
              {address.device}
            </Text>{' '}
            <Text span ff="monospace" size="sm">
              {address.ip}
            </Text>{' '}
            <Text span c="dimmed" ff="monospace" size="xs">
              {address.mac}
            </Text>
          </Text>
        ))}
      </Section>
      <Section title="Storage">
        {info.storage.map((volume) => (
          <Usage
            key={volume.name}
            label={volume.name}
            used={volume.totalBytes - volume.freeBytes}
            total={volume.totalBytes}
          />
        ))}
      </Section>
      <Section title="SD card">
        {info.sdCard ? (
          <Usage label="microSD" used={info.sdCard.usedBytes} total={info.sdCard.totalBytes} />
        ) : (
          <Text size="sm">No SD card inserted</Text>
        )}
      </Section>
      <Section title="Cooling">
        {info.cooling.length === 0 && <Text size="sm">No fans reported</Text>}
        {info.cooling.map((fan) => (
          <Fact key={fan.device} label={fan.device} value={`${fan.speed} of ${fan.maxSpeed}`} />
        ))}
      </Section>
    </SimpleGrid>
  )
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Stack gap={6}>
      <Text size="xs" fw={700} tt="uppercase" c="dimmed">
        {title}
      </Text>
      {children}
    </Stack>
  )
}

function Fact({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <Group gap="xs" justify="space-between" wrap="nowrap">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text size="sm" fw={500} ta="right" data-testid={testId}>
        {value}
      </Text>
    </Group>
  )
}

function Usage({ label, used, total }: { label: string; used: number; total: number }) {
  return (
    <Stack gap={2}>
      <Group justify="space-between">
        <Text size="sm">{label}</Text>
        <Text size="xs" c="dimmed">
          {formatBytes(total - used)} free of {formatBytes(total)}
        </Text>
      </Group>
      <Progress value={total > 0 ? (used / total) * 100 : 0} size="sm" aria-label={`${label} used`} />
    </Stack>
  )
}

function CapabilityBadge({ label }: { label: string }) {
  return (
    <Badge size="xs" variant="light" color="gray">
      {label}
    </Badge>
  )
}
