// The schematic's identity: the ID computed offline (and whether the factory agrees), the URLs it
// names, the canonical YAML it is the hash of, and the download of its image into the library.
import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  Group,
  Loader,
  ScrollArea,
  Stack,
  Text,
  Title,
} from '@mantine/core'
import {
  IconAlertOctagon,
  IconCloudDownload,
  IconCloudOff,
  IconRosetteDiscountCheck,
} from '@tabler/icons-react'
import type { ResolvedSchematic } from '../../../src-shared/contract/talos-factory.ts'
import { FailureAlert } from '../common/failure-alert.tsx'
import { DownloadRow } from '../library/download-row.tsx'
import type { DownloadJob } from '../../../src-shared/images/download-schemas.ts'
import { CopyField } from './copy-field.tsx'
import type { Resolution } from './use-resolved-schematic.ts'

export interface SchematicResultProps {
  resolution: Resolution
  /** Why there is no schematic to resolve (invalid network fields), if so. */
  blocked: string | null
  download: DownloadJob | undefined
  onDownload(resolved: ResolvedSchematic): void
}

export function SchematicResult({ resolution, blocked, download, onDownload }: SchematicResultProps) {
  const { resolved, error, confirming, confirm } = resolution
  return (
    <Card withBorder padding="lg" data-testid="schematic-result">
      <Stack gap="md">
        <Group justify="space-between">
          <Title order={4}>Schematic</Title>
          {resolved && <StatusBadge resolved={resolved} />}
        </Group>
        {blocked && (
          <Alert color="orange" variant="light">
            {blocked}
          </Alert>
        )}
        {error && <FailureAlert failure={error} />}
        {!resolved && !error && !blocked && <Loader size="sm" />}
        {resolved && (
          <>
            <Stack gap={2}>
              <Text size="xs" c="dimmed" fw={700} tt="uppercase">
                Schematic ID{' '}
                {resolved.confirmedId && !resolved.mismatch ? '(confirmed)' : '(computed offline)'}
              </Text>
              <Text
                ff="monospace"
                fw={700}
                size="md"
                style={{ wordBreak: 'break-all' }}
                data-testid="schematic-id"
              >
                {resolved.id}
              </Text>
            </Stack>
            {resolved.mismatch && (
              <Alert
                color="red"
                icon={<IconAlertOctagon size={20} />}
                title="The factory gives another ID"
                data-testid="schematic-mismatch"
              >
                <Stack gap={4}>
                  <Text size="sm">
                    Factory: <Code>{resolved.confirmedId}</Code>
                  </Text>
                  <Text size="sm">
                    The factory's ID is used for the image URL and the installer. Clusterdeck computed the
                    YAML differently from the factory: please report this schematic.
                  </Text>
                </Stack>
              </Alert>
            )}
            {resolved.uncertain.length > 0 && !resolved.confirmedId && (
              <Alert color="yellow" variant="light" title="Confirm this ID with the factory">
                <Text size="sm">{resolved.uncertain.join(' ')}</Text>
              </Alert>
            )}
            {resolved.offline && resolved.factoryProblem && (
              <Alert
                color="orange"
                variant="light"
                icon={<IconCloudOff size={18} />}
                title="The factory could not be asked"
                data-testid="factory-problem"
              >
                <Text size="sm">{resolved.factoryProblem} The offline ID is used.</Text>
              </Alert>
            )}
            <Group gap="xs">
              <Button
                variant="default"
                leftSection={<IconRosetteDiscountCheck size={16} />}
                loading={confirming}
                onClick={() => void confirm()}
              >
                Confirm with factory
              </Button>
              <Button
                leftSection={<IconCloudDownload size={16} />}
                disabled={!resolved.imageUrl}
                onClick={() => onDownload(resolved)}
              >
                Download into the library
              </Button>
            </Group>
            {download && (
              <Card withBorder padding="sm" bg="var(--mantine-color-default-hover)">
                <DownloadRow job={download} />
              </Card>
            )}
            {resolved.imageUrl && (
              <CopyField label="Image URL" value={resolved.imageUrl} testId="image-url" />
            )}
            {resolved.installerImage && (
              <CopyField label="Installer image" value={resolved.installerImage} testId="installer-image" />
            )}
            <Stack gap={2}>
              <Text size="xs" c="dimmed" fw={700} tt="uppercase">
                Canonical YAML (what the ID is the SHA-256 of)
              </Text>
              <ScrollArea.Autosize mah={260}>
                <Code block data-testid="schematic-yaml">
                  {resolved.yaml}
                </Code>
              </ScrollArea.Autosize>
            </Stack>
          </>
        )}
      </Stack>
    </Card>
  )
}

function StatusBadge({ resolved }: { resolved: ResolvedSchematic }) {
  if (resolved.mismatch)
    return (
      <Badge color="red" variant="filled" data-testid="schematic-status" data-status="mismatch">
        mismatch
      </Badge>
    )
  if (resolved.confirmedId)
    return (
      <Badge color="teal" variant="light" data-testid="schematic-status" data-status="confirmed">
        confirmed by the factory
      </Badge>
    )
  return (
    <Badge color="gray" variant="light" data-testid="schematic-status" data-status="offline">
      computed offline
    </Badge>
  )
}
