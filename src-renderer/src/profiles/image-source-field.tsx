// Where a node's image comes from: an image already in the cache, a Talos Image Factory build, an
// Armbian release, a download URL or a file on this machine. Switching the kind starts that kind
// from sensible defaults for the profile's distribution.
import { Autocomplete, Group, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core'
import type { CachedImage } from '../../../src-shared/images/image-schemas.ts'
import type { ImageSource } from '../../../src-shared/profiles/profile-schema.ts'
import { formatBytes } from '../../../src-shared/progress/progress.ts'
import { fieldIssues, IssueLines, monoInput } from './field-issues.tsx'
import { issuesAt, type ProfileIssue } from './profile-issues.ts'

type Kind = 'cached' | 'talosFactory' | 'armbian' | 'url' | 'file'

const kindLabels: { value: Kind; label: string }[] = [
  { value: 'cached', label: 'Cached image' },
  { value: 'talosFactory', label: 'Talos factory' },
  { value: 'armbian', label: 'Armbian' },
  { value: 'url', label: 'URL' },
  { value: 'file', label: 'File' },
]

const schematicPresets = ['longhorn', 'longhorn-nfs', 'full', 'none']
const factoryBoards = ['turing-rk1', 'rpi-generic', 'rpi-5', 'metal-arm64', 'metal-amd64'] as const
const armbianDistros = ['trixie', 'bookworm', 'noble', 'jammy']
const armbianVariants = ['minimal', 'server', 'desktop'] as const
const armbianBranches = ['vendor', 'current', 'edge'] as const

export function kindOf(source: ImageSource): Kind {
  if ('cached' in source) return 'cached'
  if ('talosFactory' in source) return 'talosFactory'
  if ('armbian' in source) return 'armbian'
  if ('url' in source) return 'url'
  return 'file'
}

function startOf(kind: Kind, images: readonly CachedImage[]): ImageSource {
  switch (kind) {
    case 'cached':
      return { cached: images[0]?.sha256 ?? '' }
    case 'talosFactory':
      return { talosFactory: { schematic: 'longhorn', board: 'turing-rk1' } }
    case 'armbian':
      return { armbian: { distro: 'trixie', variant: 'minimal', branch: 'vendor' } }
    case 'url':
      return { url: '' }
    case 'file':
      return { file: '' }
  }
}

/** One line naming an image source, for tables and confirmations. */
export function describeImage(source: ImageSource, images: readonly CachedImage[] = []): string {
  if ('cached' in source) {
    const image = images.find((candidate) => candidate.sha256 === source.cached)
    return image ? `${image.name} (cached)` : `cached image ${source.cached.slice(0, 12)}…`
  }
  if ('talosFactory' in source)
    return `Talos factory: ${source.talosFactory.schematic} for ${source.talosFactory.board}`
  if ('armbian' in source)
    return `Armbian ${source.armbian.distro} ${source.armbian.variant} (${source.armbian.branch})`
  if ('url' in source) return source.url
  return source.file
}

export interface ImageSourceFieldProps {
  /** The dotted path of the source in the profile, for its issues ("image", "nodes[1].image"). */
  path: string
  value: ImageSource
  images: readonly CachedImage[]
  issues: readonly ProfileIssue[]
  onChange(source: ImageSource): void
}

export function ImageSourceField({ path, value, images, issues, onChange }: ImageSourceFieldProps) {
  const kind = kindOf(value)
  const at = (sub: string) => fieldIssues(issues, `${path}.${sub}`)
  return (
    <Stack gap="sm" data-testid="image-source" data-kind={kind}>
      <SegmentedControl
        aria-label="Image source"
        value={kind}
        data={kindLabels}
        onChange={(next) => onChange(startOf(next as Kind, images))}
      />
      {/* Issues about the source as a whole, e.g. an Armbian image on a Talos profile. */}
      <IssueLines issues={issuesAt(issues, path)} />
      {'cached' in value && (
        <Select
          label="Image in the cache"
          placeholder={images.length === 0 ? 'The cache is empty' : 'Choose an image'}
          searchable
          allowDeselect={false}
          nothingFoundMessage="No cached image matches"
          data={images.map((image) => ({
            value: image.sha256,
            label: `${image.name} · ${formatBytes(image.sizeBytes)} · ${image.sha256.slice(0, 12)}`,
          }))}
          value={value.cached || null}
          onChange={(sha256) => onChange({ cached: sha256 ?? '' })}
          {...fieldIssues(issues, `${path}.cached`, {
            description:
              images.length === 0
                ? 'Add images on a board view by dropping a file on a slot, or with clusterdeck image import.'
                : undefined,
          })}
          name="image-cached"
        />
      )}
      {'talosFactory' in value && (
        <Group grow align="flex-start">
          <Autocomplete
            label="Schematic"
            data={schematicPresets}
            value={value.talosFactory.schematic}
            onChange={(schematic) => onChange({ talosFactory: { ...value.talosFactory, schematic } })}
            {...fieldIssues(issues, `${path}.talosFactory.schematic`, {
              description: "A preset or a saved schematic's name",
            })}
            name="image-schematic"
          />
          <Select
            label="Board"
            data={[...factoryBoards]}
            allowDeselect={false}
            value={value.talosFactory.board}
            onChange={(board) =>
              onChange({
                talosFactory: {
                  ...value.talosFactory,
                  board: (board ?? 'turing-rk1') as (typeof factoryBoards)[number],
                },
              })
            }
            {...at('talosFactory.board')}
            name="image-factory-board"
          />
        </Group>
      )}
      {'armbian' in value && (
        <Group grow align="flex-start">
          <Autocomplete
            label="Distribution"
            data={armbianDistros}
            value={value.armbian.distro}
            onChange={(distro) => onChange({ armbian: { ...value.armbian, distro } })}
            {...at('armbian.distro')}
            name="image-armbian-distro"
          />
          <Select
            label="Variant"
            data={[...armbianVariants]}
            allowDeselect={false}
            value={value.armbian.variant}
            onChange={(variant) =>
              onChange({
                armbian: { ...value.armbian, variant: variant as (typeof armbianVariants)[number] },
              })
            }
            {...at('armbian.variant')}
          />
          <Select
            label="Kernel branch"
            data={[...armbianBranches]}
            allowDeselect={false}
            value={value.armbian.branch}
            onChange={(branch) =>
              onChange({ armbian: { ...value.armbian, branch: branch as (typeof armbianBranches)[number] } })
            }
            {...at('armbian.branch')}
          />
        </Group>
      )}
      {'url' in value && (
        <Group grow align="flex-start">
          <TextInput
            label="Download URL"
            placeholder="https://example.org/image.raw.xz"
            value={value.url}
            onChange={(event) => onChange({ ...value, url: event.currentTarget.value })}
            {...at('url')}
            name="image-url"
          />
          <TextInput
            label="SHA-256 (optional)"
            placeholder="checked after the download"
            styles={monoInput}
            value={value.sha256 ?? ''}
            onChange={(event) => {
              const sha256 = event.currentTarget.value.trim()
              onChange(sha256 ? { url: value.url, sha256 } : { url: value.url })
            }}
            {...at('sha256')}
          />
        </Group>
      )}
      {'file' in value && (
        <TextInput
          label="Image file"
          placeholder="/home/me/images/talos-rk1.raw.xz"
          value={value.file}
          onChange={(event) => onChange({ file: event.currentTarget.value })}
          {...fieldIssues(issues, `${path}.file`, {
            description: "A path on the computer Clusterdeck's core runs on",
          })}
          name="image-file"
        />
      )}
      {kind === 'talosFactory' && (
        <Text size="xs" c="dimmed">
          Built by the Talos Image Factory for the profile&apos;s Talos version, then kept in the cache.
        </Text>
      )}
    </Stack>
  )
}
