// A step refused because a node's SSH host key changed: both fingerprints, and the explicit "trust
// the new key" action behind a confirmation naming the node and both keys (Cancel has the focus).
// Trusting pins exactly the key shown, and the same button then offers to run the step again.
import { Button, Code, Group, Stack, Text } from '@mantine/core'
import { IconKey, IconRefresh } from '@tabler/icons-react'
import { useState } from 'react'
import type { Run, RunStep } from '../../../src-shared/lifecycle/run-schema.ts'
import { parseHostKeyChange, type HostKeyChange } from '../../../src-shared/ssh/host-key-change.ts'
import { call } from '../bridge/bridge.ts'
import { ConfirmModal } from '../common/confirm-modal.tsx'
import { notifyDone, notifyFailure } from '../common/notify-failure.ts'

const fingerprintStyle = { whiteSpace: 'pre-wrap', wordBreak: 'break-all' } as const

export interface HostKeyTrustProps {
  run: Run
  /** A failed step of the run: shown only when a node's changed host key refused it. */
  step: RunStep
  onRetry(): void
}

export function HostKeyTrust({ run, step, onRetry }: HostKeyTrustProps) {
  const hostname = run.plan.steps.find((planned) => planned.id === step.stepId)?.node
  const change = step.message ? parseHostKeyChange(step.message) : null
  return hostname && change ? (
    <TrustPanel profileName={run.profileName} hostname={hostname} change={change} onRetry={onRetry} />
  ) : null
}

function TrustPanel({
  profileName,
  hostname,
  change,
  onRetry,
}: {
  profileName: string
  hostname: string
  change: HostKeyChange
  onRetry(): void
}) {
  const [asking, setAsking] = useState(false)
  const [trusted, setTrusted] = useState(false)

  async function trust() {
    try {
      await call('nodes.trustHostKey', { profile: profileName, host: hostname, fingerprint: change.actual })
      setTrusted(true)
      notifyDone(`Trusted the new host key of ${hostname}.`)
    } catch (error) {
      notifyFailure(error)
    }
  }

  return (
    <Stack gap={4} data-testid="host-key-changed" data-host={hostname}>
      <Text size="xs">Trusted until now</Text>
      <Code style={fingerprintStyle} data-testid="host-key-expected">
        {change.expected}
      </Code>
      <Text size="xs">Presented now</Text>
      <Code style={fingerprintStyle} data-testid="host-key-actual">
        {change.actual}
      </Code>
      <Group gap="xs">
        {/* One button throughout, so the focus the dialog gives back lands on what comes next. */}
        <Button
          size="compact-xs"
          variant="light"
          color={trusted ? 'red' : 'orange'}
          leftSection={trusted ? <IconRefresh size={12} /> : <IconKey size={12} />}
          onClick={() => (trusted ? onRetry() : setAsking(true))}
        >
          {trusted ? 'Retry the step' : 'Trust the new key'}
        </Button>
        {trusted && (
          <Text size="xs" role="status">
            The new key of {hostname} is trusted.
          </Text>
        )}
      </Group>
      <ConfirmModal
        opened={asking}
        title={`Trust the new host key of ${hostname}?`}
        confirmLabel="Trust the new key"
        keepLabel="Cancel"
        color="orange"
        onConfirm={trust}
        onClose={() => setAsking(false)}
      >
        <Stack gap="sm" data-testid="host-key-dialog">
          <Text>
            {hostname} answers SSH at {change.label} with a different host key than the one you trusted.
            Reinstalling a node gives it a new key; so does another machine answering at its address.
          </Text>
          <Text size="sm" fw={600}>
            Trusted until now
          </Text>
          <Code block style={fingerprintStyle}>
            {change.expected}
          </Code>
          <Text size="sm" fw={600}>
            Presented now
          </Text>
          <Code block style={fingerprintStyle}>
            {change.actual}
          </Code>
          <Text size="sm">
            Compare it with what <Code>ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</Code> prints on the
            node’s console. Trust it only if they match: Clusterdeck then pins exactly this key.
          </Text>
        </Stack>
      </ConfirmModal>
    </Stack>
  )
}
