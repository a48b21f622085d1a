// How the app logs in to a K3s profile's nodes after their first boot (docs/k3s-bootstrap.md):
// the login user (anyone but root works through sudo), the time zone the first login sets, and the
// user's own public keys, installed beside the cluster's key. The root password is not part of a
// profile: it is saved in the keychain, or made and sealed with the cluster.
import { SimpleGrid, Textarea, TextInput } from '@mantine/core'
import { useState } from 'react'
import { nodeAccessOf, type NodeAccess } from '../../../src-shared/profiles/profile-schema.ts'
import { fieldIssues, monoInput } from './field-issues.tsx'
import type { ProfileIssue } from './profile-issues.ts'

export interface NodeAccessSectionProps {
  nodeAccess: NodeAccess | undefined
  issues: readonly ProfileIssue[]
  onChange(nodeAccess: NodeAccess): void
}

export function NodeAccessSection({ nodeAccess, issues, onChange }: NodeAccessSectionProps) {
  const access = nodeAccessOf({ nodeAccess })
  // The text as typed: an empty line being typed is not yet a key.
  const [keysText, setKeysText] = useState(access.authorizedKeys.join('\n'))
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="sm">
      <TextInput
        label="Login user"
        styles={monoInput}
        value={access.user}
        onChange={(event) => onChange({ ...access, user: event.currentTarget.value })}
        {...fieldIssues(issues, 'nodeAccess.user', {
          description: 'root, or a user who may sudo (its password from the keychain)',
        })}
      />
      <TextInput
        label="Time zone"
        styles={monoInput}
        value={access.timezone}
        onChange={(event) => onChange({ ...access, timezone: event.currentTarget.value })}
        {...fieldIssues(issues, 'nodeAccess.timezone', { description: 'e.g. UTC or Europe/Berlin' })}
      />
      <Textarea
        label="Your SSH public keys"
        styles={monoInput}
        autosize
        minRows={2}
        value={keysText}
        onChange={(event) => {
          const text = event.currentTarget.value
          setKeysText(text)
          const authorizedKeys = text
            .split('\n')
            .map((line) => line.trim())
            .filter(Boolean)
          onChange({ ...access, authorizedKeys })
        }}
        {...fieldIssues(issues, 'nodeAccess.authorizedKeys', {
          nested: true,
          description: 'One .pub line each; installed for root beside the cluster’s own key',
        })}
      />
    </SimpleGrid>
  )
}
