// The cluster requests of day 2 that are no run: the list of kept snapshots, the encrypted export of
// the cluster's secrets, and its import into a profile's cluster for a restore (docs/backups.md).
import { AppError } from '../../src-shared/contract/app-error.ts'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'
import type { Handlers } from '../core/dispatcher.ts'
import type { ProfileService } from '../profiles/profile-service.ts'
import type { ClusterService } from '../clusters/cluster-service.ts'
import { listBackups } from './backup-store.ts'
import { exportSecrets, openSecretsExport } from './secrets-export.ts'

export function day2Handlers(deps: {
  clusters: ClusterService
  profiles: Pick<ProfileService, 'get'>
  dataDir: string
}): Pick<Handlers, 'clusters.backups' | 'clusters.exportSecrets' | 'clusters.importSecrets'> {
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
    'clusters.importSecrets': async ({ profile, content, key }) => {
      const saved = deps.profiles.get(profile)
      const { summary, files } = await openSecretsExport(content, key)
      if (summary.distribution !== saved.profile.distribution) {
        throw new AppError(
          'invalid_input',
          `The export holds the secrets of a ${summary.distribution} cluster; "${saved.name}" is a ${saved.profile.distribution} profile.`,
        )
      }
      const record = clusters.forProfile(saved.id, saved.profile)
      // A cluster's identity is its secrets bundle (Talos) or its token (K3s, which encrypts its
      // datastore): another one would orphan what it signed.
      const sealed = new Set(clusters.sealedNames(record.id))
      const identityName = summary.distribution === 'talos' ? sealedNames.talosSecrets : sealedNames.k3sToken
      const identity = files[identityName]
      if (identity !== undefined && sealed.has(identityName)) {
        const own = (await clusters.openSecret(record.id, identityName)).toString('utf8')
        if (own.trim() !== identity.trim()) {
          throw new AppError(
            'conflict',
            `"${saved.name}" already holds other cluster secrets than the export of "${summary.cluster}"; nothing was imported.`,
            'Restore into a profile whose cluster was destroyed (its secrets forgotten), or a new profile.',
          )
        }
      }
      for (const [name, value] of Object.entries(files)) await clusters.sealSecret(record.id, name, value)
      return { cluster: summary.cluster, names: Object.keys(files) }
    },
  }
}
