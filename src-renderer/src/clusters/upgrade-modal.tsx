// An upgrade from the cluster page (docs/upgrades.md): the target versions and the add-ons chosen,
// then the dry run of exactly that upgrade — with the core's refusal when a version skips a minor
// release or goes back — before Start can be pressed. The core checks the versions again at start.
// With the add-ons chosen, each one's chart as the cluster's health last saw it is shown against
// its pin, so what would change is visible before the plan runs.
import { Badge, Checkbox, Group, Loader, Table, Text, TextInput } from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { useState } from 'react'
import type { ClusterRecord } from '../../../src-shared/clusters/cluster-schema.ts'
import type { ClusterHealth } from '../../../src-shared/clusters/health-schema.ts'
import type { OperationOptions } from '../../../src-shared/lifecycle/plan.ts'
import type { Run } from '../../../src-shared/lifecycle/run-schema.ts'
import type { SavedProfile } from '../../../src-shared/profiles/profile-schema.ts'
import { call } from '../bridge/bridge.ts'
import { ConfirmModal } from '../common/confirm-modal.tsx'
import { FailureAlert } from '../common/failure-alert.tsx'
import { notifyFailure } from '../common/notify-failure.ts'
import { PlanPhases } from '../lifecycle/plan-phases.tsx'
import { usePlan } from '../lifecycle/use-plan.ts'
import { addonChartChanges, type AddonChartChange } from './addon-chart-changes.ts'
import { useClusterHealth } from './use-cluster-health.ts'

export interface UpgradeModalProps {
  profile: SavedProfile
  record: ClusterRecord
  opened: boolean
  onClose(): void
  onStarted(run: Run): void
}

export function UpgradeModal({ profile, record, opened, onClose, onStarted }: UpgradeModalProps) {
  const talos = record.distribution === 'talos'
  const [talosVersion, setTalosVersion] = useState('')
  const [kubernetesVersion, setKubernetesVersion] = useState('')
  const [addons, setAddons] = useState(false)
  const options: OperationOptions = {
    ...(talos && talosVersion.trim() ? { talosVersion: talosVersion.trim() } : {}),
    ...(talos && kubernetesVersion.trim() ? { kubernetesVersion: kubernetesVersion.trim() } : {}),
    ...(addons ? { addons } : {}),
  }
  // The plan follows the versions as they are typed, asked for once typing pauses.
  const optionsKey = JSON.stringify(options)
  const [plannedKey] = useDebouncedValue(optionsKey, 300)
  const { plan, failure } = usePlan(profile.id, opened, 'upgrade', JSON.parse(plannedKey) as OperationOptions)
  const settled = plannedKey === optionsKey

  function close() {
    setTalosVersion('')
    setKubernetesVersion('')
    setAddons(false)
    onClose()
  }

  async function start() {
    try {
      onStarted(await call('lifecycle.start', { profile: profile.id, operation: 'upgrade', options }))
    } catch (error) {
      notifyFailure(error)
    }
  }

  return (
    <ConfirmModal
      opened={opened}
      title={`Upgrade ${profile.name}`}
      confirmLabel="Start the upgrade"
      keepLabel="Not now"
      size="70rem"
      confirmDisabled={!plan || !settled || Boolean(plan.refusal)}
      onConfirm={start}
      onClose={close}
    >
      <Text size="sm">
        An etcd snapshot is taken first, then the nodes move one at a time, control planes first, each waiting
        until it is Ready again.
      </Text>
      <Group align="flex-start" grow>
        {talos ? (
          <>
            <TextInput
              label="Talos version"
              description={`Running ${record.versions.talos ?? 'unknown'}; empty: the profile’s ${profile.profile.versions.talos ?? ''}`}
              placeholder={profile.profile.versions.talos}
              value={talosVersion}
              onChange={(event) => setTalosVersion(event.currentTarget.value)}
              autoComplete="off"
              spellCheck={false}
            />
            <TextInput
              label="Kubernetes version"
              description={`Running ${record.versions.kubernetes ?? 'unknown'}; empty: left as it is`}
              placeholder="e.g. v1.35.0"
              value={kubernetesVersion}
              onChange={(event) => setKubernetesVersion(event.currentTarget.value)}
              autoComplete="off"
              spellCheck={false}
            />
          </>
        ) : (
          <Text size="sm" data-testid="k3s-target">
            K3s moves to the profile’s version, {profile.profile.versions.k3s ?? 'none set'} (running{' '}
            {record.versions.k3s ?? 'unknown'}): to choose another, change the profile’s K3s version.
          </Text>
        )}
      </Group>
      <Checkbox
        label="Upgrade the add-ons to the charts this version of Clusterdeck pins"
        checked={addons}
        onChange={(event) => setAddons(event.currentTarget.checked)}
      />
      {addons && <AddonChanges profile={profile} />}
      {failure && <FailureAlert failure={failure} />}
      {(!plan || !settled) && !failure && <Loader size="sm" aria-label="Loading the upgrade plan" />}
      {plan?.refusal && <FailureAlert failure={plan.refusal} data-testid="plan-refusal" />}
      {plan && (
        <div data-testid="upgrade-plan">
          <PlanPhases plan={plan} />
        </div>
      )}
    </ConfirmModal>
  )
}

const changeWords: Record<AddonChartChange, { label: string; colour: string }> = {
  upgrade: { label: 'upgraded', colour: 'blue' },
  'at-pin': { label: 'at its pin', colour: 'gray' },
  install: { label: 'installed', colour: 'teal' },
  unknown: { label: 'compared when it runs', colour: 'gray' },
}

/** Each enabled add-on's chart now (from the cluster's health) and its pin; asked for only while shown. */
function AddonChanges({ profile }: { profile: SavedProfile }) {
  const { health, failure } = useClusterHealth(profile.name)
  if (!health && !failure) return <Loader size="sm" aria-label="Loading the add-ons’ charts" />
  const rows = addonChartChanges(profile.profile, health?.addons ?? [])
  const unknown = rows.some((row) => row.change === 'unknown')
  return (
    <div>
      <Table data-testid="addon-changes">
        <Table.Caption style={{ captionSide: 'top', textAlign: 'start' }}>
          <Text size="sm" c="var(--mantine-color-text)">
            The add-ons’ charts: what the cluster runs and the version this Clusterdeck pins
          </Text>
        </Table.Caption>
        <Table.Thead>
          <Table.Tr>
            {['Add-on', 'Chart now', 'Pinned', 'The upgrade'].map((h) => (
              <Table.Th key={h}>{h}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.key} data-addon={row.key} data-change={row.change}>
              <Table.Td>{row.title}</Table.Td>
              <Table.Td ff="monospace">
                {row.running ?? (row.change === 'install' ? 'not installed' : 'not known')}
              </Table.Td>
              <Table.Td ff="monospace">{row.pinned}</Table.Td>
              <Table.Td>
                <Badge variant="light" color={changeWords[row.change].colour}>
                  {changeWords[row.change].label}
                </Badge>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text size="xs" c="dimmed">
        {unknown &&
          `${unknownWhy(health, failure)}: an add-on whose chart is not known is compared with its pin when its step runs. `}
        A release at its pin is upgraded only if the profile changed its values.
      </Text>
    </div>
  )
}

function unknownWhy(health: ClusterHealth | undefined, failure: { message: string } | undefined): string {
  if (failure) return failure.message.replace(/\.$/, '')
  if (health?.state === 'unreachable') return 'The cluster cannot be reached now'
  return 'helm could not be asked which charts run'
}
