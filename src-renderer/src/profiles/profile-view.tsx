// One cluster profile: what it says (the editor) and what became of it (its runs), with the dry
// run and Deploy above both.
import {
  Anchor,
  Badge,
  Breadcrumbs,
  Button,
  Group,
  Menu,
  Stack,
  Tabs,
  Text,
  Title,
  Tooltip,
} from '@mantine/core'
import {
  IconDots,
  IconDownload,
  IconKey,
  IconListDetails,
  IconRocket,
  IconTimeline,
  IconTrash,
} from '@tabler/icons-react'
import { useCallback, useEffect, useState } from 'react'
import type { SavedProfile } from '../../../src-shared/profiles/profile-schema.ts'
import { useConfirmation } from '../common/use-confirmation.tsx'
import { DeployModal } from '../lifecycle/deploy-modal.tsx'
import { DestroyModal } from '../lifecycle/destroy-modal.tsx'
import { PlanModal } from '../lifecycle/plan-modal.tsx'
import { clearRunFocus, onRunFocus, pendingRunFocus } from '../lifecycle/run-focus.ts'
import { useLeaveGuard } from '../shell/leave-guard.tsx'
import { RunsTab } from '../lifecycle/runs-tab.tsx'
import { useRuns } from '../lifecycle/use-runs.ts'
import { ProfileEditor } from './profile-editor.tsx'
import { exportProfileYaml, removeProfileConfirmation } from './profile-actions.ts'
import { DistributionBadge, nodeSummary } from './profiles-page.tsx'
import { reloadProfiles } from './use-profiles.ts'

type Tab = 'profile' | 'runs'

export interface ProfileViewProps {
  profile: SavedProfile
  onBack(): void
  /** Saving under a new name makes another profile; the view follows it. */
  onOpenProfile(profile: SavedProfile): void
  /** The cluster deployed from the profile: its kubeconfig, talosconfig and machine configs. */
  onOpenAccess(): void
}

export function ProfileView({ profile, onBack, onOpenProfile, onOpenAccess }: ProfileViewProps) {
  const runs = useRuns(profile.id, profile.name)
  // Opened from the navigation's activity list: straight to that run.
  const [focused] = useState(() => pendingRunFocus(profile.id))
  const [tab, setTab] = useState<Tab>(focused ? 'runs' : 'profile')
  const [runId, setRunId] = useState<string | undefined>(focused)
  useEffect(() => {
    clearRunFocus(profile.id)
    return onRunFocus((profileId, focus) => {
      if (profileId !== profile.id) return
      clearRunFocus(profileId)
      setRunId(focus)
      setTab('runs')
    })
  }, [profile.id])
  const [dirty, setDirty] = useState(false)
  const [planOpen, setPlanOpen] = useState(false)
  const [deployOpen, setDeployOpen] = useState(false)
  const [destroyOpen, setDestroyOpen] = useState(false)
  const { ask, modal } = useConfirmation()
  const onDirtyChange = useCallback((value: boolean) => setDirty(value), [])
  useLeaveGuard(dirty ? { what: `the profile "${profile.name}"` } : null)
  const unsaved = dirty ? 'Save or revert your changes first: runs use the saved profile' : undefined
  const running = runs.runs?.some((run) => run.state === 'running')

  return (
    <Stack gap="lg" data-testid="profile-view" data-profile-name={profile.name}>
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Breadcrumbs>
            <Anchor component="button" type="button" size="sm" onClick={onBack}>
              Clusters
            </Anchor>
            <Text size="sm">{profile.name}</Text>
          </Breadcrumbs>
          <Group gap="sm">
            <Title order={2} ff="monospace">
              {profile.name}
            </Title>
            <DistributionBadge distribution={profile.distribution} />
            {running && (
              <Badge color="blue" variant="dot">
                deploying
              </Badge>
            )}
          </Group>
          <Text size="sm" c="dimmed">
            {nodeSummary(profile)} on{' '}
            {[...new Set(profile.profile.nodes.map((node) => node.board))].join(', ')}
          </Text>
        </Stack>
        <Group gap="xs">
          <Button variant="default" leftSection={<IconKey size={16} />} onClick={onOpenAccess}>
            Cluster access
          </Button>
          <Tooltip label={unsaved} disabled={!unsaved}>
            <Button
              variant="default"
              leftSection={<IconListDetails size={16} />}
              disabled={dirty}
              onClick={() => setPlanOpen(true)}
            >
              Dry run
            </Button>
          </Tooltip>
          <Tooltip label={unsaved ?? 'A run of this profile is in progress'} disabled={!unsaved && !running}>
            <Button
              leftSection={<IconRocket size={16} />}
              disabled={dirty || running}
              onClick={() => setDeployOpen(true)}
            >
              Deploy
            </Button>
          </Tooltip>
          <Menu position="bottom-end">
            <Menu.Target>
              <Button variant="default" px="xs" aria-label="More actions">
                <IconDots size={18} />
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item
                leftSection={<IconDownload size={14} />}
                onClick={() => void exportProfileYaml(profile)}
              >
                Export YAML
              </Menu.Item>
              <Menu.Item
                color="red"
                leftSection={<IconTrash size={14} />}
                onClick={() => ask(removeProfileConfirmation(profile, onBack))}
              >
                Delete profile
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </Group>

      <Tabs value={tab} onChange={(value) => setTab((value ?? 'profile') as Tab)} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="profile" leftSection={<IconListDetails size={16} />}>
            Profile{dirty ? ' •' : ''}
          </Tabs.Tab>
          <Tabs.Tab value="runs" leftSection={<IconTimeline size={16} />}>
            Runs{runs.runs && runs.runs.length > 0 ? ` (${runs.runs.length})` : ''}
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="profile" pt="md">
          <ProfileEditor
            key={`${profile.id}:${profile.updatedAt}`}
            saved={profile}
            onDirtyChange={onDirtyChange}
            onSaved={(saved) => {
              void reloadProfiles()
              if (saved.id !== profile.id) onOpenProfile(saved)
            }}
          />
        </Tabs.Panel>
        <Tabs.Panel value="runs" pt="md">
          <RunsTab runs={runs} runId={runId} onOpenRun={setRunId} />
        </Tabs.Panel>
      </Tabs>

      <PlanModal
        profileId={profile.id}
        profileName={profile.name}
        opened={planOpen}
        onClose={() => setPlanOpen(false)}
        onDeploy={() => {
          setPlanOpen(false)
          setDeployOpen(true)
        }}
        onDestroy={() => {
          setPlanOpen(false)
          setDestroyOpen(true)
        }}
      />
      <DestroyModal
        profile={profile}
        opened={destroyOpen}
        onClose={() => setDestroyOpen(false)}
        onStarted={(run) => {
          setRunId(run.id)
          setTab('runs')
        }}
      />
      <DeployModal
        profile={profile}
        opened={deployOpen}
        onClose={() => setDeployOpen(false)}
        onStarted={(run) => {
          setRunId(run.id)
          setTab('runs')
        }}
      />
      {modal}
    </Stack>
  )
}
