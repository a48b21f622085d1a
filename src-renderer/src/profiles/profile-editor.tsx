// A profile as a form: every field checked by the core while the user types, each problem shown
// next to its field, and Save held back while any error remains.
import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Loader,
  NumberInput,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { IconAlertTriangle, IconCircleCheck, IconDeviceFloppy } from '@tabler/icons-react'
import { useEffect, useMemo, useState, type ReactNode } from 'react'
import type { ClusterProfile, SavedProfile } from '../../../src-shared/profiles/profile-schema.ts'
import { call, errorText } from '../bridge/bridge.ts'
import { useBoards } from '../boards/use-boards.ts'
import { FailureAlert } from '../common/failure-alert.tsx'
import { notifyDone } from '../common/notify-failure.ts'
import { AddonsSection } from './addons-section.tsx'
import { fieldIssues, IssueLines, monoInput } from './field-issues.tsx'
import { ImageSourceField } from './image-source-field.tsx'
import { NetworkSection } from './network-section.tsx'
import { NodeAccessSection } from './node-access-section.tsx'
import { NodesTable } from './nodes-table.tsx'
import { countBySeverity, unplacedIssues } from './profile-issues.ts'
import { useCachedImages } from './use-cached-images.ts'
import { useProfileValidation } from './use-profile-validation.ts'

export interface ProfileEditorProps {
  saved: SavedProfile
  onSaved(saved: SavedProfile): void
  /** Tells the page whether there are unsaved edits (deploying runs the saved profile). */
  onDirtyChange(dirty: boolean): void
}

export function ProfileEditor({ saved, onSaved, onDirtyChange }: ProfileEditorProps) {
  const [draft, setDraft] = useState<ClusterProfile>(saved.profile)
  const [saving, setSaving] = useState(false)
  const [failure, setFailure] = useState<{ message: string; hint?: string }>()
  const { boards } = useBoards()
  const images = useCachedImages()
  const validationInput = useMemo(() => ({ profile: draft }), [draft])
  const validation = useProfileValidation(validationInput)
  const { errors, warnings } = countBySeverity(validation.issues)
  const dirty = JSON.stringify(draft) !== JSON.stringify(saved.profile)
  const issues = validation.issues

  useEffect(() => onDirtyChange(dirty), [dirty, onDirtyChange])

  async function save() {
    setSaving(true)
    setFailure(undefined)
    try {
      const result = await call('profiles.save', { profile: draft })
      notifyDone(`Saved profile "${result.saved.name}".`)
      onSaved(result.saved)
    } catch (error) {
      setFailure(errorText(error))
    } finally {
      setSaving(false)
    }
  }

  function revert() {
    setDraft(saved.profile)
  }

  const renamed = draft.name !== saved.name
  const others = unplacedIssues(issues)
  return (
    <Stack gap="md" data-testid="profile-editor">
      <Card withBorder padding="sm" pos="sticky" top={64} style={{ zIndex: 5 }} data-testid="editor-status">
        <Group justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            {validation.checking ? (
              <Loader size="xs" />
            ) : errors > 0 ? (
              <IconAlertTriangle size={18} color="var(--mantine-color-red-6)" />
            ) : (
              <IconCircleCheck size={18} color="var(--mantine-color-teal-6)" />
            )}
            <Text size="sm" data-testid="validation-summary" data-errors={errors} data-warnings={warnings}>
              {validation.checking
                ? 'Checking…'
                : errors + warnings === 0
                  ? 'No problems found'
                  : [plural(errors, 'error'), warnings > 0 ? plural(warnings, 'warning') : '']
                      .filter(Boolean)
                      .join(', ')}
            </Text>
            {dirty && (
              <Badge variant="light" color="yellow">
                unsaved changes
              </Badge>
            )}
            {renamed && (
              <Text size="xs" c="dimmed">
                Saving under a new name keeps &quot;{saved.name}&quot; as it is.
              </Text>
            )}
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Button variant="default" disabled={!dirty || saving} onClick={revert}>
              Revert
            </Button>
            <Button
              leftSection={<IconDeviceFloppy size={16} />}
              disabled={!dirty || errors > 0 || validation.checking}
              loading={saving}
              onClick={() => void save()}
            >
              Save
            </Button>
          </Group>
        </Group>
      </Card>

      {failure && <FailureAlert failure={failure} />}
      {validation.failure && (
        <FailureAlert
          color="yellow"
          failure={{
            ...validation.failure,
            message: `Could not check the profile: ${validation.failure.message}`,
          }}
        />
      )}
      {others.length > 0 && (
        <Alert color="red" variant="light" title="Problems in the profile" data-testid="other-issues">
          <IssueLines
            issues={others.map((issue) => ({
              ...issue,
              message: `${issue.path || 'profile'}: ${issue.message}`,
            }))}
          />
        </Alert>
      )}

      <Section title="Cluster">
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="md" verticalSpacing="sm">
          <TextInput
            label="Name"
            styles={monoInput}
            value={draft.name}
            onChange={(event) => {
              const name = event.currentTarget.value
              setDraft((current) => ({ ...current, name }))
            }}
            {...fieldIssues(issues, 'name')}
            name="name"
          />
          <Stack gap={4} {...{ 'data-path': 'distribution' }}>
            <Text size="sm" fw={500}>
              Distribution
            </Text>
            <SegmentedControl
              aria-label="Distribution"
              value={draft.distribution}
              data={[
                { value: 'talos', label: 'Talos' },
                { value: 'k3s', label: 'K3s' },
              ]}
              onChange={(value) =>
                setDraft((current) => ({ ...current, distribution: value as ClusterProfile['distribution'] }))
              }
            />
          </Stack>
          {draft.distribution === 'talos' ? (
            <>
              <VersionInput
                label="Talos version"
                field="talos"
                placeholder="v1.13.9"
                draft={draft}
                issues={issues}
                setDraft={setDraft}
              />
              <VersionInput
                label="Kubernetes version"
                field="kubernetes"
                placeholder="1.36.1"
                draft={draft}
                issues={issues}
                setDraft={setDraft}
              />
            </>
          ) : (
            <VersionInput
              label="K3s version"
              field="k3s"
              placeholder="v1.36.4+k3s1"
              draft={draft}
              issues={issues}
              setDraft={setDraft}
            />
          )}
          <NumberInput
            label="Boot timeout"
            suffix=" s"
            min={10}
            max={3600}
            value={draft.timeouts.bootSeconds}
            onChange={(value) =>
              typeof value === 'number' &&
              setDraft((current) => ({ ...current, timeouts: { ...current.timeouts, bootSeconds: value } }))
            }
            {...fieldIssues(issues, 'timeouts.bootSeconds', {
              description: 'How long a flashed node may take to boot',
            })}
          />
          <NumberInput
            label="Ready timeout"
            suffix=" s"
            min={30}
            max={7200}
            value={draft.timeouts.readySeconds}
            onChange={(value) =>
              typeof value === 'number' &&
              setDraft((current) => ({ ...current, timeouts: { ...current.timeouts, readySeconds: value } }))
            }
            {...fieldIssues(issues, 'timeouts.readySeconds', {
              description: 'How long the new cluster may take until every node is Ready',
            })}
          />
        </SimpleGrid>
      </Section>

      <Section title="Network">
        <NetworkSection
          network={draft.network}
          issues={issues}
          onChange={(network) => setDraft((current) => ({ ...current, network }))}
        />
      </Section>

      <Section title="Image" hint="What every node gets, unless a node names its own">
        <ImageSourceField
          path="image"
          value={draft.image}
          images={images}
          issues={issues}
          onChange={(image) => setDraft((current) => ({ ...current, image }))}
        />
      </Section>

      <Section title="Nodes" hint="Which board slot is which node">
        <NodesTable
          nodes={draft.nodes}
          distribution={draft.distribution}
          boardNames={boards?.map((board) => board.name) ?? []}
          images={images}
          issues={issues}
          onChange={(nodes) => setDraft((current) => ({ ...current, nodes }))}
        />
      </Section>

      {draft.distribution === 'k3s' && (
        <Section title="Node access" hint="How Clusterdeck logs in to the nodes after their first boot">
          <NodeAccessSection
            nodeAccess={draft.nodeAccess}
            issues={issues}
            onChange={(nodeAccess) => setDraft((current) => ({ ...current, nodeAccess }))}
          />
        </Section>
      )}

      <Section title="Add-ons" hint="Installed once the cluster is up">
        <AddonsSection
          addons={draft.addons}
          distribution={draft.distribution}
          issues={issues}
          onChange={(addons) => setDraft((current) => ({ ...current, addons }))}
        />
      </Section>
    </Stack>
  )
}

function Section({ title, hint, children }: { title: string; hint?: string; children: ReactNode }) {
  return (
    <Card withBorder padding="md" data-testid="profile-section" data-section={title}>
      <Group gap="xs" mb="sm" align="baseline">
        <Title order={4}>{title}</Title>
        {hint && (
          <Text size="sm" c="dimmed">
            {hint}
          </Text>
        )}
      </Group>
      {children}
    </Card>
  )
}

function VersionInput({
  label,
  field,
  placeholder,
  draft,
  issues,
  setDraft,
}: {
  label: string
  field: keyof ClusterProfile['versions']
  placeholder: string
  draft: ClusterProfile
  issues: Parameters<typeof fieldIssues>[0]
  setDraft(change: (current: ClusterProfile) => ClusterProfile): void
}) {
  return (
    <TextInput
      label={label}
      placeholder={placeholder}
      styles={monoInput}
      value={draft.versions[field] ?? ''}
      onChange={(event) => {
        const value = event.currentTarget.value.trim()
        setDraft((current) => ({
          ...current,
          versions: { ...current.versions, [field]: value || undefined },
        }))
      }}
      {...fieldIssues(issues, `versions.${field}`)}
      name={`versions.${field}`}
    />
  )
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`
}
