// One download: its state, live bytes / speed / time left, where its checksum comes from, and what
// can be done about it (cancel while it runs; resume or retry once it stopped).
import { Alert, Badge, Button, Group, Progress, Stack, Text } from '@mantine/core'
import {
  IconPlayerPlay,
  IconPlayerStop,
  IconRefresh,
  IconShieldCheck,
  IconShieldOff,
} from '@tabler/icons-react'
import { useState } from 'react'
import type { DownloadJob, DownloadState } from '../../../src-shared/images/download-schemas.ts'
import { formatBytes, formatDuration } from '../../../src-shared/progress/progress.ts'
import { call } from '../bridge/bridge.ts'
import { notifyFailure } from '../common/notify-failure.ts'
import { resumeDownload } from './use-downloads.ts'
import { inWords } from '../common/error-words.ts'

const stateColors: Record<DownloadState, string> = {
  queued: 'gray',
  downloading: 'blue',
  importing: 'violet',
  done: 'teal',
  failed: 'red',
  cancelled: 'gray',
  interrupted: 'orange',
}

const checksumLabels = {
  given: 'verified against the given SHA-256',
  'checksum-file': 'verified against the published checksum file',
  'github-digest': 'verified against the GitHub asset digest',
  none: 'no published checksum: not verified',
} as const

export function DownloadRow({ job }: { job: DownloadJob }) {
  const [busy, setBusy] = useState(false)
  const running = job.state === 'queued' || job.state === 'downloading' || job.state === 'importing'
  const { bytesDone, bytesTotal, bytesPerSecond, etaSeconds } = job.progress
  const percent = bytesTotal ? (bytesDone / bytesTotal) * 100 : 0

  async function act(action: () => Promise<unknown>) {
    setBusy(true)
    try {
      await action()
    } catch (error) {
      notifyFailure(error)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Stack gap={6} data-testid="download-row" data-state={job.state} data-url={job.url}>
      <Group justify="space-between" wrap="nowrap" gap="sm">
        <Group gap="xs" wrap="nowrap" miw={0}>
          <Badge color={stateColors[job.state]} variant="light" style={{ flexShrink: 0 }}>
            {job.state}
          </Badge>
          <Text size="sm" fw={600} ff="monospace" truncate="end" title={job.url}>
            {job.name}
          </Text>
        </Group>
        {running ? (
          <Button
            size="compact-sm"
            variant="light"
            color="red"
            leftSection={<IconPlayerStop size={14} />}
            loading={busy}
            onClick={() => void act(() => call('images.cancelDownload', { id: job.id }))}
          >
            Cancel
          </Button>
        ) : job.state === 'interrupted' || job.state === 'failed' ? (
          <Button
            size="compact-sm"
            variant="light"
            leftSection={job.resumable ? <IconPlayerPlay size={14} /> : <IconRefresh size={14} />}
            loading={busy}
            onClick={() => void act(() => resumeDownload(job))}
          >
            {job.resumable ? 'Resume' : 'Try again'}
          </Button>
        ) : null}
      </Group>
      {running && (
        <Progress
          value={job.state === 'importing' ? 100 : percent}
          striped={job.state !== 'downloading'}
          animated={job.state !== 'queued'}
          size="md"
          aria-label={`Download of ${job.name}`}
        />
      )}
      <Text size="xs" c="dimmed" data-testid="download-figures">
        {figures(job, bytesDone, bytesTotal, bytesPerSecond, etaSeconds)}
      </Text>
      {job.checksum && (job.state === 'done' || job.state === 'importing') && (
        <Group gap={4}>
          {job.checksum.source === 'none' ? (
            <IconShieldOff size={14} color="var(--mantine-color-orange-6)" />
          ) : (
            <IconShieldCheck size={14} color="var(--mantine-color-teal-6)" />
          )}
          <Text size="xs" c={job.checksum.source === 'none' ? 'orange' : 'dimmed'}>
            {checksumLabels[job.checksum.source]}
          </Text>
        </Group>
      )}
      {job.error && (job.state === 'failed' || job.state === 'interrupted') && (
        <Alert
          color={job.state === 'failed' ? 'red' : 'orange'}
          variant="light"
          p="xs"
          title={inWords(job.error.message)}
          // URLs in the message are long and unbroken.
          styles={{ title: { overflowWrap: 'anywhere' }, message: { overflowWrap: 'anywhere' } }}
        >
          <Text size="xs">{job.error.hint && inWords(job.error.hint)}</Text>
        </Alert>
      )}
    </Stack>
  )
}

function figures(
  job: DownloadJob,
  bytesDone: number,
  bytesTotal: number | null,
  bytesPerSecond: number,
  etaSeconds: number | null,
): string {
  const amount = bytesTotal
    ? `${formatBytes(bytesDone)} of ${formatBytes(bytesTotal)}`
    : formatBytes(bytesDone)
  switch (job.state) {
    case 'queued':
      return job.resumedFromBytes > 0
        ? `Waiting; will continue at ${formatBytes(job.resumedFromBytes)}`
        : 'Waiting for a free slot'
    case 'downloading':
      return [
        amount,
        `${(bytesPerSecond / 1e6).toFixed(1)} MB/s`,
        etaSeconds === null ? null : `${formatDuration(etaSeconds)} left`,
        job.resumedFromBytes > 0 ? `resumed at ${formatBytes(job.resumedFromBytes)}` : null,
      ]
        .filter(Boolean)
        .join(' · ')
    case 'importing':
      return `${amount} downloaded · verifying and unpacking into the library`
    case 'done':
      return `${amount} · in the library since ${new Date(job.updatedAt).toLocaleTimeString()}`
    case 'interrupted':
      return `Stopped at ${amount}${job.resumable ? ': Resume continues from there' : ''}`
    case 'failed':
      return `Failed at ${amount}`
    case 'cancelled':
      return 'Cancelled; its bytes were discarded'
  }
}
