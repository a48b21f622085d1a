// Destroying a cluster wipes every node and forgets its secrets (docs/destroy.md), so the dialog
// lists each reset step as the plan names it — the node, its slot and what it wipes — and the
// action stays out of reach until the cluster's name is typed; the core checks that name again.
// A K3s cluster may have its nodes' eMMC wiped too, which each reset then names.
import { Checkbox, Group, List, Loader, Text, TextInput } from '@mantine/core'
import { useState } from 'react'
import type { Run } from '../../../src-shared/lifecycle/run-schema.ts'
import type { SavedProfile } from '../../../src-shared/profiles/profile-schema.ts'
import { call } from '../bridge/bridge.ts'
import { ConfirmModal } from '../common/confirm-modal.tsx'
import { FailureAlert } from '../common/failure-alert.tsx'
import { notifyFailure } from '../common/notify-failure.ts'
import { usePlan } from './use-plan.ts'

export interface DestroyModalProps {
  profile: Pick<SavedProfile, 'id' | 'name' | 'distribution'>
  opened: boolean
  onClose(): void
  onStarted(run: Run): void
}

export function DestroyModal({ profile, opened, onClose, onStarted }: DestroyModalProps) {
  const [wipeNvme, setWipeNvme] = useState(false)
  const [wipeEmmcAsked, setWipeEmmc] = useState(false)
  // Talos resets wipe their system partitions already; the core refuses the option for them.
  const wipeEmmc = wipeEmmcAsked && profile.distribution === 'k3s'
  const [backupFirst, setBackupFirst] = useState(false)
  const [keepAddons, setKeepAddons] = useState(false)
  const [typed, setTyped] = useState('')
  const options = {
    ...(wipeNvme ? { wipeNvme } : {}),
    ...(wipeEmmc ? { wipeEmmc } : {}),
    ...(backupFirst ? { backupFirst } : {}),
    ...(keepAddons ? { keepAddons } : {}),
  }
  const { plan, failure } = usePlan(profile.id, opened, 'destroy', options)
  const wiping = plan?.plan.steps.filter((step) => step.kind === 'node.reset') ?? []
  const forget = plan?.plan.steps.find((step) => step.kind === 'cluster.forget')

  function close() {
    setTyped('')
    onClose()
  }

  async function destroy() {
    try {
      onStarted(
        await call('lifecycle.start', { profile: profile.id, operation: 'destroy', options, confirm: typed }),
      )
    } catch (error) {
      notifyFailure(error)
    }
  }

  return (
    <ConfirmModal
      opened={opened}
      title={`Destroy ${profile.name}?`}
      confirmLabel="Destroy the cluster"
      keepLabel="Keep the cluster"
      color="red"
      confirmDisabled={typed !== profile.name || !plan || Boolean(plan.refusal)}
      onConfirm={destroy}
      onClose={close}
    >
      <Text size="sm">
        {keepAddons ? 'Every node' : 'The add-ons are uninstalled, then every node'} is wiped and powered off:
      </Text>
      {failure && <FailureAlert failure={failure} />}
      {plan?.refusal && <FailureAlert failure={plan.refusal} data-testid="plan-refusal" />}
      {!plan && !failure && <Loader size="sm" aria-label="Loading the destroy plan" />}
      <List size="sm" data-testid="destroy-steps">
        {wiping.map((step) => (
          <List.Item key={step.id}>{step.title}</List.Item>
        ))}
        {forget && <List.Item>{forget.title}</List.Item>}
      </List>
      <Group>
        <Checkbox
          label="Wipe the NVMe drives too"
          checked={wipeNvme}
          onChange={(event) => setWipeNvme(event.currentTarget.checked)}
        />
        {profile.distribution === 'k3s' && (
          <Checkbox
            label="Also wipe the eMMC (the nodes will not boot until re-flashed)"
            checked={wipeEmmc}
            onChange={(event) => setWipeEmmc(event.currentTarget.checked)}
          />
        )}
        <Checkbox
          label="Back up etcd first and keep the secrets"
          checked={backupFirst}
          onChange={(event) => setBackupFirst(event.currentTarget.checked)}
        />
        <Checkbox
          label="Leave the add-ons installed (for a cluster whose API no longer answers)"
          checked={keepAddons}
          onChange={(event) => setKeepAddons(event.currentTarget.checked)}
        />
      </Group>
      <TextInput
        label={`Type ${profile.name} to confirm`}
        value={typed}
        onChange={(event) => setTyped(event.currentTarget.value)}
        autoComplete="off"
        spellCheck={false}
        data-testid="destroy-confirm"
      />
    </ConfirmModal>
  )
}
