// The cluster requests of day 2 that are no run: the list of kept snapshots and the encrypted
// export of the cluster's secrets (docs/backups.md).
import type { Handlers } from '../core/dispatcher.ts'
import type { ClusterService } from '../clusters/cluster-service.ts'
import { openIfSealed } from '../talos/talos-step-support.ts'
import { listBackups } from './backup-store.ts'
import { exportSecrets } from './secrets-export.ts'

export function day2Handlers(deps: {
  clusters: ClusterService
  dataDir: string
}): Pick<Handlers, 'clusters.backups' | 'clusters.exportSecrets'> {
  const { clusters } = deps
  return {
    'clusters.backups': ({ ref }) => listBackups(deps.dataDir, clusters.get(ref).id),
    'clusters.exportSecrets': async ({ ref, to }) => {
      const record = clusters.get(ref)
      const sealed = {
        open: async (name: string) => (await clusters.openSecret(record.id, name)).toString('utf8'),
        seal: () => Promise.reject(new Error('read only')),
      }
      const { content, summary } = await exportSecrets(record, (name) => openIfSealed(sealed, name), to)
      return { fileName: `${record.profileName}-secrets.age`, content, names: summary.names }
    },
  }
}
