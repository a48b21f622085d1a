// Narrowing the list: distribution release, variant and kernel branch, and whether images whose
// release was deleted upstream are shown.
import { Group, SegmentedControl, Select, Switch } from '@mantine/core'
import type { ArmbianImage } from '../../../src-shared/armbian/armbian-schemas.ts'

export interface Filters {
  distro: string | null
  variant: ArmbianImage['variant'] | 'all'
  branch: ArmbianImage['branch'] | 'all'
  includeVanished: boolean
}

export const noFilters: Filters = { distro: null, variant: 'all', branch: 'all', includeVanished: true }

export function matches(image: ArmbianImage, filters: Filters): boolean {
  return (
    (filters.distro === null || image.distro === filters.distro) &&
    (filters.variant === 'all' || image.variant === filters.variant) &&
    (filters.branch === 'all' || image.branch === filters.branch) &&
    (filters.includeVanished || image.stillPublished)
  )
}

export function ArmbianFilters({
  images,
  filters,
  onChange,
}: {
  images: ArmbianImage[]
  filters: Filters
  onChange(filters: Filters): void
}) {
  const distros = [...new Set(images.map((image) => image.distro))].sort()
  return (
    <Group gap="md" align="flex-end" data-testid="armbian-filters">
      <Select
        label="Release"
        placeholder="All releases"
        data={distros}
        value={filters.distro}
        onChange={(distro) => onChange({ ...filters, distro })}
        clearable
        w={180}
      />
      <SegmentedControl
        aria-label="Variant"
        data={[
          { value: 'all', label: 'All variants' },
          { value: 'minimal', label: 'Minimal' },
          { value: 'server', label: 'Server' },
          { value: 'desktop', label: 'Desktop' },
        ]}
        value={filters.variant}
        onChange={(variant) => onChange({ ...filters, variant: variant as Filters['variant'] })}
      />
      <SegmentedControl
        aria-label="Kernel branch"
        data={[
          { value: 'all', label: 'All kernels' },
          { value: 'vendor', label: 'Vendor 6.1' },
          { value: 'current', label: 'Current' },
          { value: 'edge', label: 'Edge' },
        ]}
        value={filters.branch}
        onChange={(branch) => onChange({ ...filters, branch: branch as Filters['branch'] })}
      />
      <Switch
        label="Include vanished releases"
        checked={filters.includeVanished}
        onChange={(event) => onChange({ ...filters, includeVanished: event.currentTarget.checked })}
        mb={6}
      />
    </Group>
  )
}
