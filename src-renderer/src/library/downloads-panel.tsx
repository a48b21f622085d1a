// Every download the core knows, newest first: running ones with live figures, stopped ones with
// their error and a way to continue. Offline, this is where it shows what could not be fetched.
import { Card, Divider, Group, Stack, Text, Title } from '@mantine/core'
import { IconCloudDownload } from '@tabler/icons-react'
import { Fragment } from 'react'
import { FailureAlert } from '../common/failure-alert.tsx'
import { DownloadRow } from './download-row.tsx'
import type { Downloads } from './use-downloads.ts'

export function DownloadsPanel({ downloads }: { downloads: Downloads }) {
  const { jobs, error } = downloads
  return (
    <Card withBorder padding="md" data-testid="downloads-panel">
      <Stack gap="sm">
        <Group gap="xs">
          <IconCloudDownload size={18} />
          <Title order={4}>Downloads</Title>
        </Group>
        {error && <FailureAlert failure={error} />}
        {jobs?.length === 0 && (
          <Text size="sm" c="dimmed" data-testid="downloads-empty">
            Nothing downloading. Images from the Talos builder and the Armbian list arrive here, verified
            before they enter the library.
          </Text>
        )}
        {jobs?.map((job, index) => (
          <Fragment key={job.id}>
            {index > 0 && <Divider />}
            <DownloadRow job={job} />
          </Fragment>
        ))}
      </Stack>
    </Card>
  )
}
