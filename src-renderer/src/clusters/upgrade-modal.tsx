// An upgrade from the cluster page (docs/upgrades.md): the target versions and the add-ons chosen,
// then the dry run of exactly that upgrade — with the core's refusal when a version skips a minor
// release or goes back — before Start can be pressed. The core checks the versions again at start.
import { Checkbox, Group, Loader, Text, TextInput } from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { useState } from 'react'
import type { ClusterRecord } from '../../../src-shared/clusters/cluster-schema.ts'
import type { OperationOptions } from '../../../src-shared/lifecycle/plan.ts'
import type { Run } from '../../../src-shared/lifecycle/run-schema.ts'
import type { SavedProfile } from '../../../src-shared/profiles/profile-schema.ts'
import { call } from '../bridge/bridge.ts'
import { ConfirmModal } from '../common/confirm-modal.tsx'
import { FailureAlert } from '../common/failure-alert.tsx'
import { notifyFailure } from '../common/notify-failure.ts'
import { PlanPhases } from '../lifecycle/plan-phases.tsx'
import { usePlan } from '../lifecycle/use-plan.ts'

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
