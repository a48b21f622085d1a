// Settings → Tools: for talosctl and helm, the binary steps run now and where it comes from, every
// other one found (with whether its version fits), install of the pinned official release with
// progress, removal of a managed one, and the path of your own binary.
import {
  Badge,
  Button,
  Card,
  Group,
  Loader,
  Progress,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { IconDownload, IconTrash } from '@tabler/icons-react'
import { useState } from 'react'
import type { ToolStatus, ToolsProgress } from '../../../src-shared/contract/tools.ts'
import { formatBytes, formatDuration } from '../../../src-shared/progress/progress.ts'
import { call } from '../bridge/bridge.ts'
import { FailureAlert } from '../common/failure-alert.tsx'
import { notifyFailure } from '../common/notify-failure.ts'
import { useTools } from './use-tools.ts'

const sourceWords = {
  configured: 'your configured path',
  path: 'found on PATH',
  managed: 'installed by Clusterdeck',
}

export function ToolsSection() {
  const { statuses, installing, error, reload } = useTools()
  return (
    <Stack gap="md" data-testid="tools-section">
      <Stack gap={2}>
        <Title order={3}>Tools</Title>
        <Text size="sm" c="dimmed">
          Clusterdeck runs talosctl and helm for the cluster phases. Your own binary is used when its version
          fits; otherwise the pinned official release is downloaded, checked against its published SHA-256,
          and kept in the data directory.
        </Text>
      </Stack>
      {error && <FailureAlert failure={error} />}
      {!statuses && !error && <Loader aria-label="Loading the tools" />}
      {statuses?.map((status) => (
        <ToolCard
          key={status.name}
          status={status}
          progress={installing.get(status.name)}
          onChanged={reload}
        />
      ))}
    </Stack>
  )
}

function ToolCard({
  status,
  progress,
  onChanged,
}: {
  status: ToolStatus
  progress: ToolsProgress | undefined
  onChanged(): void
}) {
  const [path, setPath] = useState('')
  const installable = status.pinned.filter((pin) => pin.availableForThisMachine)
  const run = (work: Promise<unknown>) => work.then(onChanged, notifyFailure)

  return (
    <Card withBorder data-testid={`tool-${status.name}`}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Text fw={600}>{status.name}</Text>
          {status.active ? (
            <Badge color="teal.9" variant="light">
              {status.active.version} · {sourceWords[status.active.source]}
            </Badge>
          ) : (
            <Badge color="red.9" variant="light">
              none that fits
            </Badge>
          )}
        </Group>
        {status.active ? (
          <Text size="sm" ff="monospace" data-testid={`tool-${status.name}-path`}>
            {status.active.path}
          </Text>
        ) : (
          <FailureAlert
            failure={{
              message: status.problem ?? 'not installed',
              ...(status.hint ? { hint: status.hint } : {}),
            }}
          />
        )}
        {status.found.length > 0 && (
          <Table aria-label={`${status.name} binaries found`} withRowBorders={false}>
            <Table.Tbody>
              {status.found.map((found) => (
                <Table.Tr key={found.path}>
                  <Table.Td ff="monospace">{found.path}</Table.Td>
                  <Table.Td>{found.version ?? 'version unknown'}</Table.Td>
                  <Table.Td>{found.fits ? 'fits' : 'does not fit'}</Table.Td>
                  <Table.Td>
                    {sourceWords[found.source]}
                    {found.verified ? ' · verified' : ''}
                  </Table.Td>
                  <Table.Td>
                    {found.source === 'managed' && found.version && (
                      <Button
                        size="xs"
                        variant="subtle"
                        color="red.9"
                        leftSection={<IconTrash size={14} />}
                        onClick={() =>
                          run(call('tools.remove', { tool: status.name, version: found.version! }))
                        }
                      >
                        Remove {found.version}
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {progress ? (
          <Stack gap={4} aria-live="polite">
            <Text size="sm">
              Downloading {status.name} {progress.version}: {formatBytes(progress.progress.bytesDone)}
              {progress.progress.bytesTotal ? ` of ${formatBytes(progress.progress.bytesTotal)}` : ''}
              {progress.progress.etaSeconds !== null
                ? `, ${formatDuration(progress.progress.etaSeconds)} left`
                : ''}
            </Text>
            <Progress
              aria-label={`Download of ${status.name} ${progress.version}`}
              value={
                progress.progress.bytesTotal
                  ? (100 * progress.progress.bytesDone) / progress.progress.bytesTotal
                  : 0
              }
            />
          </Stack>
        ) : (
          <Group gap="xs">
            {installable.map((pin) => (
              <Button
                key={pin.version}
                size="xs"
                variant="light"
                leftSection={<IconDownload size={14} />}
                onClick={() => run(call('tools.install', { tool: status.name, version: pin.version }))}
              >
                Install {status.name} {pin.version}
              </Button>
            ))}
          </Group>
        )}
        <Group align="end" gap="xs">
          <TextInput
            label={`Your own ${status.name}`}
            placeholder={`/usr/local/bin/${status.name}`}
            value={path}
            onChange={(event) => setPath(event.currentTarget.value)}
            style={{ flex: 1 }}
          />
          <Button
            size="sm"
            variant="default"
            disabled={path.trim() === ''}
            onClick={() =>
              run(call('tools.setPath', { tool: status.name, path: path.trim() }).then(() => setPath('')))
            }
          >
            Use this path
          </Button>
          {status.found.some((found) => found.source === 'configured') && (
            <Button
              size="sm"
              variant="subtle"
              onClick={() => run(call('tools.setPath', { tool: status.name, path: null }))}
            >
              Forget my path
            </Button>
          )}
        </Group>
      </Stack>
    </Card>
  )
}
