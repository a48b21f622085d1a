// The add-ons the cluster gets after its bootstrap, each with its few settings, in the order the
// seed installs them.
import { Card, Group, NumberInput, SimpleGrid, Stack, Switch, Text, TextInput } from '@mantine/core'
import type { ReactNode } from 'react'
import { platformDefaults } from '../../../src-shared/addons/addon-values.ts'
import type { Addons } from '../../../src-shared/profiles/profile-schema.ts'
import { fieldIssues, IssueLines, monoInput } from './field-issues.tsx'
import { issuesAt, type ProfileIssue } from './profile-issues.ts'

export interface AddonsSectionProps {
  addons: Addons
  distribution: 'talos' | 'k3s'
  issues: readonly ProfileIssue[]
  onChange(addons: Addons): void
}

const about: Record<keyof Addons, { title: string; text: string }> = {
  metallb: { title: 'MetalLB', text: 'LoadBalancer addresses from the MetalLB range' },
  // The profile's validation warns, on this card, while ingress-nginx is switched on.
  ingressNginx: { title: 'ingress-nginx', text: 'HTTP(S) ingress on a MetalLB address; retired upstream' },
  traefik: { title: 'Traefik', text: 'HTTP(S) ingress on a MetalLB address' },
  certManager: { title: 'cert-manager', text: 'Certificates for ingresses' },
  longhorn: { title: 'Longhorn', text: 'Replicated volumes on the NVMe drives' },
  monitoring: { title: 'Monitoring', text: 'kube-prometheus-stack with Grafana' },
  portainer: { title: 'Portainer', text: 'A web UI for the cluster' },
}

export function AddonsSection({ addons, distribution, issues, onChange }: AddonsSectionProps) {
  function set<K extends keyof Addons>(key: K, change: Partial<Addons[K]>) {
    onChange({ ...addons, [key]: { ...addons[key], ...change } })
  }
  const settings: Partial<Record<keyof Addons, ReactNode>> = {
    certManager: (
      <Switch
        size="xs"
        label="Self-signed issuer"
        checked={addons.certManager.selfSignedIssuer}
        onChange={(event) => set('certManager', { selfSignedIssuer: event.currentTarget.checked })}
      />
    ),
    longhorn: (
      <NumberInput
        size="xs"
        label="Replicas per volume"
        min={1}
        max={10}
        value={addons.longhorn.replicaCount}
        onChange={(value) => typeof value === 'number' && set('longhorn', { replicaCount: value })}
        {...fieldIssues(issues, 'addons.longhorn.replicaCount')}
      />
    ),
    monitoring: (
      <TextInput
        size="xs"
        label="Storage size"
        styles={monoInput}
        placeholder={platformDefaults[distribution].prometheusStorage}
        value={addons.monitoring.storageSize ?? ''}
        onChange={(event) => {
          const size = event.currentTarget.value.trim()
          set('monitoring', { storageSize: size === '' ? undefined : size })
        }}
        {...fieldIssues(issues, 'addons.monitoring.storageSize')}
      />
    ),
  }
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm">
      {(Object.keys(about) as (keyof Addons)[]).map((key) => (
        <Card key={key} withBorder padding="sm" data-testid="addon" data-addon={key}>
          <Stack gap={6}>
            <Group justify="space-between" wrap="nowrap" align="flex-start">
              <div>
                <Text fw={600} size="sm">
                  {about[key].title}
                </Text>
                <Text size="xs" c="dimmed">
                  {about[key].text}
                </Text>
              </div>
              <Switch
                aria-label={`Install ${about[key].title}`}
                checked={addons[key].enabled}
                onChange={(event) => set(key, { enabled: event.currentTarget.checked })}
              />
            </Group>
            {addons[key].enabled && settings[key]}
            <IssueLines
              issues={issuesAt(issues, `addons.${key}`).concat(issuesAt(issues, `addons.${key}.enabled`))}
            />
          </Stack>
        </Card>
      ))}
    </SimpleGrid>
  )
}
