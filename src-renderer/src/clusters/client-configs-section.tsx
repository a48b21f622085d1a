// The cluster's client configs, each to download (a file the user keeps) or to merge into the
// user's own config file. Both hold the cluster's admin key: they leave the sealed file only when
// asked for, straight to the save dialog or the merge.
import { Button, Group, Paper, Stack, Text, Title } from '@mantine/core'
import { IconDownload, IconGitMerge } from '@tabler/icons-react'
import { useState } from 'react'
import type { ClusterRecord } from '../../../src-shared/clusters/cluster-schema.ts'
import type { ConfigKind } from '../../../src-shared/contract/clusters.ts'
import { call } from '../bridge/bridge.ts'
import { notifyFailure } from '../common/notify-failure.ts'
import { downloadText } from '../profiles/download-text.ts'
import { MergeConfigModal } from './merge-config-modal.tsx'

const about: Record<ConfigKind, { use: string; file: string }> = {
  kubeconfig: {
    use: 'For kubectl, helm and k9s: the cluster’s Kubernetes API as admin.',
    file: '~/.kube/config',
  },
  talosconfig: { use: 'For talosctl: the Talos API of every node, as admin.', file: '~/.talos/config' },
}

export function ClientConfigsSection({ record }: { record: ClusterRecord }) {
  const [merging, setMerging] = useState<ConfigKind>()
  const kinds: ConfigKind[] = record.distribution === 'talos' ? ['kubeconfig', 'talosconfig'] : ['kubeconfig']

  async function download(kind: ConfigKind) {
    try {
      const { fileName, content } = await call(`clusters.${kind}`, { ref: record.id })
      downloadText(fileName, content, 'application/yaml')
    } catch (error) {
      notifyFailure(error)
    }
  }

  return (
    <Stack gap="sm" component="section" aria-labelledby="client-configs-title">
      <Title order={3} id="client-configs-title">
        Client configs
      </Title>
      {kinds.map((kind) => {
        const sealed = record.artifacts.some((artifact) => artifact.name === kind)
        return (
          <Paper key={kind} withBorder p="md" data-testid="client-config" data-kind={kind}>
            <Group justify="space-between" wrap="wrap">
              <Stack gap={2}>
                <Text fw={600} ff="monospace">
                  {kind}
                </Text>
                <Text size="sm" c="dimmed">
                  {sealed
                    ? about[kind].use
                    : 'Sealed when a deploy bootstraps the cluster: deploy the profile first.'}
                </Text>
              </Stack>
              <Group gap="xs">
                <Button
                  variant="default"
                  leftSection={<IconDownload size={16} />}
                  disabled={!sealed}
                  onClick={() => void download(kind)}
                >
                  Download {kind}
                </Button>
                <Button
                  leftSection={<IconGitMerge size={16} />}
                  disabled={!sealed}
                  onClick={() => setMerging(kind)}
                >
                  Merge into {about[kind].file}
                </Button>
              </Group>
            </Group>
          </Paper>
        )
      })}
      <MergeConfigModal
        clusterName={record.profileName}
        kind={merging}
        onClose={() => setMerging(undefined)}
      />
    </Stack>
  )
}
