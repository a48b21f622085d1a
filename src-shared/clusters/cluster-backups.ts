// An etcd snapshot of a cluster kept in the data directory (docs/backups.md), as listed by
// clusters.backups and shown on the cluster view.
import { z } from 'zod'

export const clusterBackupSchema = z.object({
  /** The snapshot file's absolute path. */
  file: z.string(),
  takenAt: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** The control plane it was taken from. */
  node: z.string(),
  distribution: z.enum(['talos', 'k3s']),
  /** The Talos (or K3s) version the cluster ran. */
  version: z.string().nullable(),
  /** The run that took it. */
  runId: z.string(),
})
export type ClusterBackup = z.infer<typeof clusterBackupSchema>
