// The Talos image builder: choose what goes into the image, see its schematic ID computed offline as
// the form changes, confirm it with the factory, and download the image into the library.
import { Grid, Stack, Text, Title } from '@mantine/core'
import { useEffect, useMemo, useState } from 'react'
import type { ResolvedSchematic } from '../../../src-shared/contract/talos-factory.ts'
import { findBoard } from '../../../src-shared/talos/boards.ts'
import { pullImage, useDownloads } from '../library/use-downloads.ts'
import { buildFromForm, formFromSchematic, type BuilderForm } from './builder-choices.ts'
import { SavedSchematics } from './saved-schematics.tsx'
import { SchematicForm } from './schematic-form.tsx'
import { SchematicResult } from './schematic-result.tsx'
import { useResolvedSchematic } from './use-resolved-schematic.ts'
import { useTalosVersions } from './use-factory-catalogue.ts'

const initialForm: BuilderForm = {
  board: 'turing-rk1',
  preset: 'longhorn',
  extensions: [],
  kernelArgs: '',
  network: null,
}

export function TalosBuilderPage() {
  const [form, setForm] = useState<BuilderForm>(initialForm)
  const [version, setVersion] = useState<string | null>(null)
  const { versions, error: versionsError } = useTalosVersions()
  const { jobs } = useDownloads()
  const board = findBoard(form.board)!

  // The newest release by default; a prerelease only when chosen.
  useEffect(() => {
    if (version || !versions) return
    const release = versions.versions.find((entry) => !entry.prerelease) ?? versions.versions[0]
    if (release) setVersion(release.version)
  }, [versions, version])

  const built = useMemo(() => buildFromForm(form), [form])
  const target = useMemo(
    () => (built.schematic ? { schematic: built.schematic, talosVersion: version, arch: board.arch } : null),
    [built, version, board.arch],
  )
  const resolution = useResolvedSchematic(target)
  const imageUrl = resolution.resolved?.imageUrl
  const download = jobs?.find((job) => job.url === imageUrl)

  function downloadImage(resolved: ResolvedSchematic) {
    if (!resolved.imageUrl || !version) return
    void pullImage({
      url: resolved.imageUrl,
      name: `talos-${version}-${board.id}-${resolved.effectiveId.slice(0, 8)}.raw`,
      os: 'talos',
      version,
      arch: board.arch,
    })
  }

  return (
    <Stack gap="lg" data-testid="talos-builder">
      <Stack gap={2}>
        <Title order={2}>Talos image builder</Title>
        <Text size="sm" c="dimmed">
          A Talos image is named by its schematic: board overlay, extensions, kernel arguments and META
          values. The ID is computed here, exactly as the Image Factory does, even offline.
        </Text>
      </Stack>
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <Stack gap="lg">
            <SchematicForm
              form={form}
              version={version}
              versions={versions}
              versionsError={versionsError}
              networkIssues={built.networkIssues}
              onChange={setForm}
              onVersionChange={setVersion}
            />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <Stack gap="lg">
            <SchematicResult
              resolution={resolution}
              blocked={built.networkIssues ? 'Fix the static network fields to see the schematic.' : null}
              download={download}
              onDownload={downloadImage}
            />
            <SavedSchematics
              schematic={built.schematic}
              onLoad={(saved) => setForm((current) => formFromSchematic(saved.schematic, current))}
            />
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  )
}
