// Each node's machine config as it was applied, with every key, token and secret masked by the
// core (the renderer never sees them): one node at a time, chosen by host name.
import { Code, Loader, Stack, Tabs, Text, Title } from '@mantine/core'
import { useEffect, useState } from 'react'
import type { RequestOutput } from '../../../src-shared/contract/index.ts'
import { call, errorText } from '../bridge/bridge.ts'
import { FailureAlert } from '../common/failure-alert.tsx'

type MachineConfigs = RequestOutput<'clusters.machineConfigs'>

export function MachineConfigsSection({ clusterId, sealedAt }: { clusterId: string; sealedAt: string }) {
  const [configs, setConfigs] = useState<MachineConfigs>()
  const [failure, setFailure] = useState<{ message: string; hint?: string }>()
  const [hostname, setHostname] = useState<string>()

  // Read again when a run seals new configs (sealedAt is the latest artifact's time).
  useEffect(() => {
    let current = true
    call('clusters.machineConfigs', { ref: clusterId })
      .then((found) => {
        if (!current) return
        setConfigs(found)
        setFailure(undefined)
      })
      .catch((error: unknown) => current && setFailure(errorText(error)))
    return () => void (current = false)
  }, [clusterId, sealedAt])

  const shown = configs?.find((config) => config.hostname === hostname) ?? configs?.[0]
  return (
    <Stack gap="sm" component="section" aria-labelledby="machine-configs-title">
      <Title order={3} id="machine-configs-title">
        Machine configs
      </Title>
      {failure && <FailureAlert failure={failure} />}
      {!configs && !failure && <Loader size="sm" aria-label="Loading the machine configs" />}
      {configs?.length === 0 && (
        <Text size="sm" c="dimmed">
          No machine config sealed yet: each node’s is kept when a deploy applies it.
        </Text>
      )}
      {shown && configs && (
        <>
          <Text size="sm" c="dimmed">
            Keys, tokens and secrets are masked; certificates, names and addresses are as applied.
          </Text>
          <Tabs value={shown.hostname} onChange={(value) => value && setHostname(value)}>
            <Tabs.List aria-label="Nodes">
              {configs.map((config) => (
                <Tabs.Tab key={config.hostname} value={config.hostname}>
                  {config.hostname}{' '}
                  <Text span size="xs" c="dimmed" ml={4}>
                    ({config.role === 'control-plane' ? 'control plane' : 'worker'})
                  </Text>
                </Tabs.Tab>
              ))}
            </Tabs.List>
            {configs.map((config) => (
              <Tabs.Panel key={config.hostname} value={config.hostname} pt="sm">
                <div
                  role="region"
                  aria-label={`Machine config of ${config.hostname}, secrets masked`}
                  // It scrolls, so the keyboard must be able to reach it.
                  tabIndex={0}
                  data-testid="machine-config"
                  data-hostname={config.hostname}
                  style={{ maxHeight: '32rem', overflow: 'auto' }}
                >
                  <Code block>{config.yaml}</Code>
                </div>
              </Tabs.Panel>
            ))}
          </Tabs>
        </>
      )}
    </Stack>
  )
}
