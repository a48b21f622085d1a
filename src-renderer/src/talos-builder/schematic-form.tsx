// What goes into the image: the Talos version, the board, extensions (a preset and more from the
// factory's official list), kernel arguments and, optionally, one node's static network.
import { Alert, Input, MultiSelect, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core'
import { IconAlertTriangle } from '@tabler/icons-react'
import { useState } from 'react'
import {
  boardVersionProblem,
  findBoard,
  talosBoards,
  type TalosBoardId,
} from '../../../src-shared/talos/boards.ts'
import { talosVersionProblem } from '../../../src-shared/talos/factory-urls.ts'
import { extensionPresets, presetExtensions } from '../../../src-shared/talos/presets.ts'
import { FailureAlert } from '../common/failure-alert.tsx'
import { monoInput } from '../profiles/field-issues.tsx'
import { withBoard, type BuilderForm } from './builder-choices.ts'
import { CatalogueSource } from './catalogue-source.tsx'
import { NetworkFields } from './network-fields.tsx'
import { useExtensions, type VersionList } from './use-factory-catalogue.ts'

export interface SchematicFormProps {
  form: BuilderForm
  version: string | null
  versions: VersionList | undefined
  versionsError: { message: string; hint?: string; code?: string } | undefined
  networkIssues: Record<string, string> | null
  onChange(form: BuilderForm): void
  onVersionChange(version: string | null): void
}

export function SchematicForm(props: SchematicFormProps) {
  const { form, version, versions, versionsError, networkIssues, onChange } = props
  const board = findBoard(form.board)!
  const { extensions, error: extensionsError } = useExtensions(version)
  const fromPreset = form.preset === 'none' ? [] : presetExtensions(form.preset, board)
  const versionProblem = version ? boardVersionProblem(board, version) : null
  const set = (changes: Partial<BuilderForm>) => onChange({ ...form, ...changes })

  return (
    <Stack gap="md" data-testid="schematic-form">
      <Stack gap={4}>
        {versions ? (
          <Select
            label="Talos version"
            data={versions.versions.map((entry) => ({
              value: entry.version,
              label: entry.prerelease ? `${entry.version} (prerelease)` : entry.version,
            }))}
            value={version}
            onChange={props.onVersionChange}
            searchable
            allowDeselect={false}
            maxDropdownHeight={260}
          />
        ) : (
          <TypedVersion onChange={props.onVersionChange} />
        )}
        {versions && <CatalogueSource {...versions} />}
        {versionsError && <FailureAlert failure={versionsError} variant="light" p="xs" />}
      </Stack>

      <Select
        label="Board"
        data={talosBoards.map((candidate) => ({ value: candidate.id, label: candidate.label }))}
        value={form.board}
        onChange={(value) => value && onChange(withBoard(form, value as TalosBoardId))}
        allowDeselect={false}
        description={board.notes}
      />
      {versionProblem && (
        <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />} p="xs">
          {versionProblem}
        </Alert>
      )}

      <Input.Wrapper label="Extension preset">
        <SegmentedControl
          fullWidth
          aria-label="Extension preset"
          data={[
            { value: 'none', label: 'None' },
            ...extensionPresets.map(({ id, label }) => ({ value: id, label })),
          ]}
          value={form.preset}
          onChange={(value) => set({ preset: value as BuilderForm['preset'] })}
          data-testid="preset"
        />
        <Text size="xs" c="dimmed" mt={6}>
          {form.preset === 'none'
            ? 'No preset: pick extensions below.'
            : `${extensionPresets.find((preset) => preset.id === form.preset)?.description} (${fromPreset.join(', ')})`}
        </Text>
      </Input.Wrapper>

      <Stack gap={4}>
        <MultiSelect
          label="More official extensions"
          placeholder={extensions ? 'Search extensions' : 'The list is loading or not available'}
          data={(extensions?.extensions ?? [])
            .filter((extension) => !fromPreset.includes(extension.name))
            .map((extension) => ({ value: extension.name, label: extension.name }))}
          value={form.extensions}
          onChange={(value) => set({ extensions: value })}
          searchable
          clearable
          disabled={!extensions}
          maxDropdownHeight={260}
          data-testid="extensions"
        />
        {extensions && <CatalogueSource {...extensions} />}
        {extensionsError &&
          // Offline, both lists fail for one reason: it is said once, under the version.
          (versionsError?.code === extensionsError.code ? (
            <Text size="xs" c="dimmed" data-testid="extensions-unavailable">
              The extension list is not available either, for the same reason.
            </Text>
          ) : (
            <FailureAlert failure={extensionsError} variant="light" p="xs" />
          ))}
      </Stack>

      <TextInput
        label="Extra kernel arguments"
        description="One command line; split on whitespace."
        placeholder="console=ttyS2,115200"
        styles={monoInput}
        value={form.kernelArgs}
        onChange={(event) => set({ kernelArgs: event.currentTarget.value })}
        name="kernel-args"
      />

      <NetworkFields
        board={board}
        value={form.network}
        issues={networkIssues}
        onChange={(network) => set({ network })}
      />
    </Stack>
  )
}

/**
 * The version typed by hand when the factory's list is not available. The text is the field's own
 * while it is typed ("v", "v1.", …); the builder only gets a version once the text is one.
 */
function TypedVersion({ onChange }: { onChange(version: string | null): void }) {
  const [text, setText] = useState('')
  const problem = text.trim() ? talosVersionProblem(text) : null
  return (
    <TextInput
      label="Talos version"
      description="The factory's list is not available: type a version."
      placeholder="v1.11.5"
      value={text}
      error={problem}
      name="talos-version"
      onChange={(event) => {
        const typed = event.currentTarget.value
        setText(typed)
        onChange(typed.trim() && !talosVersionProblem(typed) ? typed.trim() : null)
      }}
    />
  )
}
