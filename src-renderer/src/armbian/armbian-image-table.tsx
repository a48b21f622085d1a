// The RK1 images, one row each: what it is (release, variant, kernel and its NPU support), whether
// it is still published or only a cached copy remains, where its checksum comes from, and its
// download into the library, followed live below the row.
import { Badge, Button, Group, Stack, Table, Text, Tooltip } from '@mantine/core'
import { IconCloudDownload, IconShieldCheck, IconShieldOff } from '@tabler/icons-react'
import { Fragment } from 'react'
import type { ArmbianImage } from '../../../src-shared/armbian/armbian-schemas.ts'
import type { DownloadJob } from '../../../src-shared/images/download-schemas.ts'
import { formatBytes } from '../../../src-shared/progress/progress.ts'
import { DownloadRow } from '../library/download-row.tsx'
import { pullImage } from '../library/use-downloads.ts'
import { NpuBadge } from './npu-trade-off.tsx'

const checksumLabels: Record<ArmbianImage['checksumSource'], string> = {
  'github-digest': 'GitHub digest',
  'checksum-file': '.sha file',
  none: 'none published',
}

export function ArmbianImageTable({
  images,
  downloads,
}: {
  images: ArmbianImage[]
  downloads: DownloadJob[]
}) {
  return (
    <Table verticalSpacing="sm" data-testid="armbian-table">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Image</Table.Th>
          <Table.Th>Kernel</Table.Th>
          <Table.Th>Upstream</Table.Th>
          <Table.Th>Checksum</Table.Th>
          <Table.Th ta="right">Size</Table.Th>
          <Table.Th />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {images.map((image) => {
          const job = downloads.find((candidate) => candidate.url === image.url)
          return (
            <Fragment key={image.name}>
              <Table.Tr data-testid="armbian-image" data-name={image.name} data-branch={image.branch}>
                <Table.Td>
                  <Stack gap={2}>
                    <Group gap="xs">
                      <Text fw={600} tt="capitalize">
                        {image.distro}
                      </Text>
                      <Badge size="sm" variant="default">
                        {image.variant === 'desktop' ? `${image.desktop ?? ''} desktop` : image.variant}
                      </Badge>
                      {image.prerelease && (
                        <Badge size="sm" color="yellow" variant="light">
                          prerelease
                        </Badge>
                      )}
                    </Group>
                    <Text size="xs" c="dimmed" ff="monospace">
                      {image.releaseTag}
                      {image.publishedAt && ` · ${new Date(image.publishedAt).toLocaleDateString()}`}
                    </Text>
                  </Stack>
                </Table.Td>
                <Table.Td>
                  <Stack gap={4} align="flex-start">
                    <Text size="sm" ff="monospace">
                      {image.branch} {image.kernelVersion}
                    </Text>
                    <NpuBadge npu={image.npu} />
                  </Stack>
                </Table.Td>
                <Table.Td>
                  <Stack gap={4} align="flex-start">
                    {image.stillPublished ? (
                      <Badge size="sm" color="teal" variant="light">
                        published
                      </Badge>
                    ) : (
                      <Tooltip label={`Last seen ${new Date(image.lastSeenAt).toLocaleString()}`}>
                        <Badge size="sm" color="orange" variant="light" data-testid="vanished">
                          deleted upstream
                        </Badge>
                      </Tooltip>
                    )}
                    {image.cachedSha256 && (
                      <Badge size="sm" color="blue" variant="light" data-testid="in-library">
                        in the library
                      </Badge>
                    )}
                  </Stack>
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    {image.checksumSource === 'none' ? (
                      <IconShieldOff size={14} color="var(--mantine-color-orange-6)" />
                    ) : (
                      <IconShieldCheck size={14} color="var(--mantine-color-teal-6)" />
                    )}
                    <Text size="sm" data-testid="checksum-source">
                      {checksumLabels[image.checksumSource]}
                    </Text>
                  </Group>
                </Table.Td>
                <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                  <Text size="sm">{formatBytes(image.sizeBytes)}</Text>
                </Table.Td>
                <Table.Td>
                  <DownloadButton image={image} />
                </Table.Td>
              </Table.Tr>
              {job && (
                <Table.Tr>
                  <Table.Td colSpan={6} bg="var(--mantine-color-default-hover)">
                    <DownloadRow job={job} />
                  </Table.Td>
                </Table.Tr>
              )}
            </Fragment>
          )
        })}
      </Table.Tbody>
    </Table>
  )
}

function DownloadButton({ image }: { image: ArmbianImage }) {
  const button = (
    <Button
      size="compact-sm"
      variant="light"
      leftSection={<IconCloudDownload size={14} />}
      disabled={!image.stillPublished}
      onClick={() =>
        void pullImage({ url: image.url, os: 'armbian', version: image.armbianVersion, arch: 'arm64' })
      }
    >
      {image.cachedSha256 ? 'Download again' : 'Download'}
    </Button>
  )
  return image.stillPublished ? (
    button
  ) : (
    <Tooltip label="The release was deleted upstream; only a copy in the library remains.">
      <span>{button}</span>
    </Tooltip>
  )
}
