// The profile's network: the node network and how it is reached, the addresses Kubernetes uses
// inside, and the pool MetalLB hands out.
import { SimpleGrid, TextInput } from '@mantine/core'
import { useEffect, useState } from 'react'
import type { ClusterProfile } from '../../../src-shared/profiles/profile-schema.ts'
import { fieldIssues, monoInput } from './field-issues.tsx'
import type { ProfileIssue } from './profile-issues.ts'

type Network = ClusterProfile['network']
type TextKey = Exclude<keyof Network, 'dns'>

export interface NetworkSectionProps {
  network: Network
  issues: readonly ProfileIssue[]
  onChange(network: Network): void
}

const fields: {
  key: TextKey
  label: string
  placeholder: string
  description?: string
  optional?: boolean
}[] = [
  { key: 'nodeCidr', label: 'Node network', placeholder: '10.10.88.0/24' },
  { key: 'gateway', label: 'Gateway', placeholder: '10.10.88.1' },
  {
    key: 'apiEndpoint',
    label: 'API endpoint',
    placeholder: '10.10.88.73',
    description: 'A control plane’s address, or the VIP',
  },
  {
    key: 'vip',
    label: 'VIP',
    placeholder: 'none',
    optional: true,
    description: 'Shared control-plane address',
  },
  { key: 'podCidr', label: 'Pod network', placeholder: '10.244.0.0/16' },
  { key: 'serviceCidr', label: 'Service network', placeholder: '10.96.0.0/12' },
  {
    key: 'metallbRange',
    label: 'MetalLB range',
    placeholder: '10.10.88.80-10.10.88.89',
    optional: true,
    description: 'LoadBalancer addresses, clear of the nodes',
  },
]

const parseDns = (text: string) => text.split(/[,\s]+/).filter((entry) => entry !== '')

export function NetworkSection({ network, issues, onChange }: NetworkSectionProps) {
  // The text stays as typed ("10.10.88.1, " while the next server is coming); it is replaced only
  // when the list changes from elsewhere, e.g. Revert.
  const joined = network.dns.join(', ')
  const [dnsText, setDnsText] = useState(joined)
  useEffect(() => {
    setDnsText((text) => (parseDns(text).join(', ') === joined ? text : joined))
  }, [joined])
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="md" verticalSpacing="sm">
      {fields.map(({ key, label, placeholder, description, optional }) => (
        <TextInput
          key={key}
          label={label}
          placeholder={placeholder}
          styles={monoInput}
          value={network[key] ?? ''}
          onChange={(event) => {
            const value = event.currentTarget.value.trim()
            // Optional fields left empty are absent from the profile, not empty strings.
            onChange({ ...network, [key]: optional && value === '' ? undefined : value })
          }}
          {...fieldIssues(issues, `network.${key}`, { description })}
          name={`network.${key}`}
        />
      ))}
      <TextInput
        label="DNS servers"
        placeholder="10.10.88.1"
        styles={monoInput}
        value={dnsText}
        onChange={(event) => {
          const text = event.currentTarget.value
          setDnsText(text)
          onChange({ ...network, dns: parseDns(text) })
        }}
        {...fieldIssues(issues, 'network.dns', { nested: true, description: 'Separated by commas' })}
        name="network.dns"
      />
    </SimpleGrid>
  )
}
