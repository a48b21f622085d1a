// The cluster requests of day 2 that are no run: the list of kept snapshots and the encrypted
// export of the cluster's secrets (docs/backups.md).
import type { Handlers } from '../core/dispatcher.ts'
import type { ClusterService } from '../clusters/cluster-service.ts'
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
      // Only the sealed files there are opened: a missing one is left out of the export.
      const sealed = new Set(clusters.sealedNames(record.id))
      const open = async (name: string) =>
        sealed.has(name) ? (await clusters.openSecret(record.id, name)).toString('utf8') : null
      const { content, summary } = await exportSecrets(record, open, to)
      return { fileName: `${record.profileName}-secrets.age`, content, names: summary.names }
    },
  }
}
