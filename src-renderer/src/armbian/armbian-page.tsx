// Armbian for the Turing RK1: the community builds Clusterdeck has seen (releases vanish upstream
// within weeks, so what was seen stays listed), the NPU trade-off of their kernels, downloads into
// the library, and the first-boot preset for a node.
import { Button, Card, Group, Loader, Stack, Text, Title } from '@mantine/core'
import { IconCloudOff, IconRefresh } from '@tabler/icons-react'
import { useState } from 'react'
import { FailureAlert } from '../common/failure-alert.tsx'
import { useDownloads } from '../library/use-downloads.ts'
import { ArmbianFilters, matches, noFilters, type Filters } from './armbian-filters.tsx'
import { ArmbianImageTable } from './armbian-image-table.tsx'
import { FirstBootPresetForm } from './first-boot-preset-form.tsx'
import { NpuTradeOff } from './npu-trade-off.tsx'
import { useArmbianImages } from './use-armbian-images.ts'

export function ArmbianPage() {
  const { result, error, refreshing, refresh } = useArmbianImages()
  const { jobs } = useDownloads()
  const [filters, setFilters] = useState<Filters>(noFilters)
  const shown = result?.images.filter((image) => matches(image, filters)) ?? []

  return (
    <Stack gap="lg" data-testid="armbian-page">
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Title order={2}>Armbian for the Turing RK1</Title>
          <Text size="sm" c="dimmed">
            Weekly community builds from armbian/community, verified against their published checksums.
          </Text>
        </Stack>
        <Group gap="sm">
          {result && (
            <Text size="xs" c="dimmed" data-testid="armbian-refreshed">
              {result.refreshedAt
                ? `Listed from GitHub ${new Date(result.refreshedAt).toLocaleString()}`
                : 'Never listed from GitHub'}
            </Text>
          )}
          <Button
            variant="default"
            leftSection={<IconRefresh size={16} />}
            loading={refreshing}
            onClick={() => void refresh()}
          >
            Refresh
          </Button>
        </Group>
      </Group>
      {result && <NpuTradeOff tradeOff={result.npuTradeOff} />}
      {error && <FailureAlert failure={error} />}
      {result?.refreshError && (
        <FailureAlert
          failure={result.refreshError}
          color="orange"
          icon={<IconCloudOff size={18} />}
          data-testid="armbian-refresh-error"
        >
          {' '}
          The images seen before are listed.
        </FailureAlert>
      )}
      {!result && !error && <Loader />}
      {result && (
        <Card withBorder padding="md">
          <Stack gap="md">
            <ArmbianFilters images={result.images} filters={filters} onChange={setFilters} />
            {shown.length > 0 ? (
              <ArmbianImageTable images={shown} downloads={jobs ?? []} />
            ) : (
              <Text size="sm" c="dimmed" ta="center" py="lg" data-testid="armbian-empty">
                {result.images.length === 0
                  ? 'No RK1 images listed yet. Refresh to ask GitHub (needs a connection).'
                  : 'No image matches these filters.'}
              </Text>
            )}
          </Stack>
        </Card>
      )}
      <FirstBootPresetForm />
    </Stack>
  )
}
