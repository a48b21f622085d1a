// One node's flash as it runs and how it ended: phases, a bar, bytes, speed and time left, the
// core's message, and Cancel (or Dismiss once it is over).
import { Badge, Button, Group, Progress, Stack, Text } from '@mantine/core'
import { IconCircleCheck, IconCircleX, IconPlayerStop } from '@tabler/icons-react'
import { finishedPhases, type FlashJob } from '../../../src-shared/flash/flash-schemas.ts'
import { describeProgress, formatBytes, formatDuration } from '../../../src-shared/progress/progress.ts'
import { LiveAnnouncement } from '../common/live-announcement.tsx'
import { FlashPhaseBadges } from './flash-phase-badges.tsx'
import { inWords } from '../common/error-words.ts'

export interface FlashProgressProps {
  job: FlashJob
  onCancel(): void
  onDismiss(): void
}

const noShrink = { flexShrink: 0 } as const

const phaseWords: Record<string, string> = {
  queued: 'queued',
  preparing: 'preparing',
  writing: 'writing',
  verifying: 'verifying',
  'powering-on': 'powering on',
}

export function FlashProgress({ job, onCancel, onDismiss }: FlashProgressProps) {
  const finished = finishedPhases.includes(job.phase)
  return (
    <Stack gap={8} data-testid="flash-progress" data-phase={job.phase} data-job-id={job.id}>
      {/* The action sits first and stays put while the lines below change, so it is easy to hit. */}
      <Group justify="space-between" wrap="nowrap" gap="xs" align="flex-start">
        <Stack gap={0} miw={0} flex={1}>
          <Text size="sm" fw={600} ff="monospace" truncate="end" title={job.imageName}>
            {job.imageName}
          </Text>
          <Text size="xs" c="dimmed">
            {job.imageSizeBytes === null ? 'size not known yet' : formatBytes(job.imageSizeBytes)}
          </Text>
        </Stack>
        {finished ? (
          <Button key="dismiss" size="compact-sm" variant="subtle" onClick={onDismiss} style={noShrink}>
            Dismiss
          </Button>
        ) : (
          // Keyed apart from Dismiss: a click aimed at Cancel must never land on a button that changed.
          <Button
            key="cancel"
            size="compact-sm"
            variant="light"
            color="red"
            leftSection={<IconPlayerStop size={14} />}
            onClick={onCancel}
            style={noShrink}
          >
            Cancel
          </Button>
        )}
      </Group>
      <LiveAnnouncement>{flashAnnouncement(job)}</LiveAnnouncement>
      <FlashPhaseBadges job={job} />
      {finished ? <FlashOutcome job={job} /> : <RunningFlash job={job} />}
      {job.message && (
        <Text size="xs" c={job.phase === 'failed' ? 'red' : 'dimmed'} data-testid="flash-message">
          {inWords(job.message)}
        </Text>
      )}
    </Stack>
  )
}

function RunningFlash({ job }: { job: FlashJob }) {
  const measuring = job.phase === 'writing' || job.phase === 'verifying' || job.phase === 'preparing'
  const words = job.progress && measuring ? describeProgress(job.progress) : undefined
  return (
    <Stack gap={4}>
      <Progress
        value={job.phase === 'queued' ? 0 : measuring ? (words?.percent ?? 0) : 100}
        striped
        animated
        size="lg"
        color={job.phase === 'verifying' ? 'blue' : 'teal'}
        aria-label={`Flash of node ${job.node}: ${phaseWords[job.phase] ?? job.phase}`}
      />
      <Group justify="space-between" gap="xs">
        <Text size="xs" data-testid="flash-bytes">
          {job.phase === 'queued' ? 'Waiting for the flash before it on this board' : (words?.bytes ?? '')}
        </Text>
        {words?.rate && (
          <Text size="xs" c="dimmed" data-testid="flash-speed">
            {words.rate}
            {words.eta && ` · ${words.eta}`}
          </Text>
        )}
      </Group>
    </Stack>
  )
}

function FlashOutcome({ job }: { job: FlashJob }) {
  const took =
    job.startedAt && job.finishedAt
      ? formatDuration((Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000)
      : undefined
  if (job.phase === 'done') {
    return (
      <Group gap="xs" data-testid="flash-result" data-outcome="done">
        <IconCircleCheck size={20} color="var(--mantine-color-teal-6)" />
        <Text size="sm" fw={600} c="teal">
          Flashed{took ? ` in ${took}` : ''}
        </Text>
        {job.verified ? (
          <Badge color="teal" size="sm" data-testid="flash-verified">
            verified
          </Badge>
        ) : (
          <Badge color="gray" variant="outline" size="sm">
            not verified
          </Badge>
        )}
      </Group>
    )
  }
  const stopped = job.failedPhase ? ` while ${phaseWords[job.failedPhase] ?? job.failedPhase}` : ''
  return (
    <Group gap="xs" data-testid="flash-result" data-outcome={job.phase}>
      <IconCircleX
        size={20}
        color={job.phase === 'failed' ? 'var(--mantine-color-red-6)' : 'var(--mantine-color-gray-6)'}
      />
      <Text size="sm" fw={600} c={job.phase === 'failed' ? 'red' : 'dimmed'}>
        {job.phase === 'failed' ? 'Failed' : 'Cancelled'}
        {stopped}
      </Text>
    </Group>
  )
}

/** What a screen reader hears: the phase, then the outcome; the bytes and percentages stay on screen. */
function flashAnnouncement(job: FlashJob): string {
  const node = `Node ${job.node}`
  if (job.phase === 'done') return `${node}: flashed ${job.imageName}${job.verified ? ', verified' : ''}`
  if (job.phase === 'failed' || job.phase === 'cancelled') {
    const stopped = job.failedPhase ? ` while ${phaseWords[job.failedPhase] ?? job.failedPhase}` : ''
    return `${node}: the flash of ${job.imageName} ${job.phase === 'failed' ? 'failed' : 'was cancelled'}${stopped}`
  }
  return `${node}: ${phaseWords[job.phase] ?? job.phase} ${job.imageName}`
}
