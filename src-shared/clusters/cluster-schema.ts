// A cluster record: what was actually deployed from a profile (the desired state) — versions, the
// API endpoint, which node runs where with which image, and the sealed files holding its secrets.
// It holds no secret: artifacts are paths to files sealed under the data directory.
import { z } from 'zod'
import { nodeNumberSchema } from '../bmc/node-number.ts'
import type { ProfileNode } from '../profiles/profile-schema.ts'

export const clusterNodeSchema = z.object({
  hostname: z.string(),
  role: z.enum(['control-plane', 'worker']),
  board: z.string(),
  slot: nodeNumberSchema,
  address: z.string(),
  /** The raw image written to the node, when its flash is recorded. */
  imageSha256: z.string().nullable(),
  flashedAt: z.string().nullable(),
  /** Where the node's Talos API answers once configured (on the virtual board its 127.0.0.N). */
  apiAddress: z.string().nullable().default(null),
  /** The sha256 of the machine config last applied to the node: an unchanged config is not applied again. */
  configSha256: z.string().nullable().default(null),
  /** Where a K3s node answers SSH, once a step reached it (on the virtual board 127.0.0.N:2222). */
  sshAddress: z.string().nullable().default(null),
  sshPort: z.number().int().nullable().default(null),
})
export type ClusterNode = z.infer<typeof clusterNodeSchema>

/** A profile node as the record first knows it: where it sits, nothing done to it yet. */
export function clusterNodeOf(node: ProfileNode): ClusterNode {
  const { hostname, role, board, slot, address } = node
  return {
    hostname,
    role,
    board,
    slot,
    address,
    imageSha256: null,
    flashedAt: null,
    apiAddress: null,
    configSha256: null,
    sshAddress: null,
    sshPort: null,
  }
}

export const clusterArtifactSchema = z.object({
  /** e.g. "talosconfig", "kubeconfig", "k3s-token". */
  name: z.string(),
  /** The sealed file, relative to the data directory. */
  path: z.string(),
  sealedAt: z.string(),
})
export type ClusterArtifact = z.infer<typeof clusterArtifactSchema>

export const clusterRecordSchema = z.object({
  id: z.string(),
  profileId: z.string().nullable(),
  profileName: z.string(),
  distribution: z.enum(['talos', 'k3s']),
  versions: z.object({
    talos: z.string().optional(),
    kubernetes: z.string().optional(),
    k3s: z.string().optional(),
  }),
  /** The Kubernetes API, once the cluster has been bootstrapped. */
  apiEndpoint: z.string().nullable(),
  nodes: z.array(clusterNodeSchema),
  artifacts: z.array(clusterArtifactSchema),
  /** When a deploy's last step found every node and enabled add-on ready; null until then. */
  readyAt: z.string().nullable(),
  /** The latest run that changed the record. */
  lastRunId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** When a destroy finished; the record stays as history. */
  destroyedAt: z.string().nullable(),
})
export type ClusterRecord = z.infer<typeof clusterRecordSchema>
