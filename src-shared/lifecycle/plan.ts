// A plan: one operation on a cluster (deploy, upgrade, backup, destroy) as phases made of steps,
// each per node or per cluster, with the steps it waits for. The engine runs steps whose
// dependencies are done, at the same time where they are independent; steps that share a resource
// (a board's BMC, a node, the cluster) run one after another. Step ids are stable across
// compilations of the same profile (src-shared/lifecycle/step-ids.ts), so a resumed run can match
// its steps. Each step kind has its own typed parameters.
import { z } from 'zod'
import { nodeNumberSchema } from '../bmc/node-number.ts'
import { imageSourceSchema } from '../profiles/profile-schema.ts'

export const operationIds = ['deploy', 'upgrade', 'backup', 'destroy', 'restore'] as const
export const operationIdSchema = z.enum(operationIds)
export type OperationId = z.infer<typeof operationIdSchema>

export const operationTitles: Record<OperationId, string> = {
  deploy: 'Deploy',
  upgrade: 'Upgrade',
  backup: 'Backup',
  destroy: 'Destroy',
  restore: 'Restore',
}

/** Each operation's phases, in the order they run. */
export const operationPhases = {
  deploy: ['image-preparation', 'node-imaging', 'cluster-bootstrap', 'addon-deployment', 'ready'],
  // An upgrade, and a destroy asked to back up first, snapshot etcd before they touch a node.
  upgrade: [
    'backup-snapshot',
    'backup-save',
    'upgrade-nodes',
    'upgrade-kubernetes',
    'upgrade-verify',
    'upgrade-addons',
  ],
  backup: ['backup-snapshot', 'backup-save'],
  destroy: [
    'backup-snapshot',
    'backup-save',
    'uninstall-addons',
    'reset-nodes',
    'power-off',
    'forget-cluster',
  ],
  // A deploy whose bootstrap recovers etcd from a snapshot (docs/backups.md).
  restore: ['image-preparation', 'node-imaging', 'cluster-bootstrap', 'addon-deployment', 'ready'],
} as const satisfies Record<OperationId, readonly string[]>

export const phaseIds = [...new Set(Object.values(operationPhases).flat())]
export const phaseIdSchema = z.enum(phaseIds as [PhaseId, ...PhaseId[]])
export type PhaseId = (typeof operationPhases)[OperationId][number]

export const phaseTitles: Record<PhaseId, string> = {
  'image-preparation': 'Image preparation',
  'node-imaging': 'Node imaging',
  'cluster-bootstrap': 'Cluster bootstrap',
  'addon-deployment': 'Add-on deployment',
  ready: 'Ready',
  'upgrade-nodes': 'Node upgrades',
  'upgrade-kubernetes': 'Kubernetes upgrade',
  'upgrade-verify': 'Verification',
  'upgrade-addons': 'Add-on upgrades',
  'backup-snapshot': 'etcd snapshot',
  'backup-save': 'Saving the backup',
  'uninstall-addons': 'Uninstall add-ons',
  'reset-nodes': 'Reset nodes',
  'power-off': 'Power off',
  'forget-cluster': 'Forget the cluster',
}

export const addonKeys = [
  'metallb',
  'ingressNginx',
  'traefik',
  'certManager',
  'longhorn',
  'monitoring',
  'portainer',
] as const
export type AddonKey = (typeof addonKeys)[number]

const distribution = z.enum(['talos', 'k3s'])
const role = z.enum(['control-plane', 'worker'])
const none = z.object({}).strict()
const onNode = { address: z.string() }
const onSlot = { board: z.string(), slot: nodeNumberSchema }

/** What each kind of step needs to know. */
const stepParams = {
  'image.prepare': z.object({
    imageKey: z.string(),
    source: imageSourceSchema,
    talosVersion: z.string().optional(),
  }),
  'node.flash': z.object({ ...onSlot, imageKey: z.string() }),
  'node.wait-boot': z.object({
    ...onSlot,
    ...onNode,
    distribution,
    timeoutSeconds: z.number(),
  }),
  'talos.generate-secrets': none,
  'talos.generate-configs': none,
  'talos.apply-config': z.object({ ...onNode, role }),
  'talos.bootstrap': z.object({
    ...onNode,
    /** A restore: the etcd snapshot the bootstrap recovers from (`talosctl bootstrap --recover-from`). */
    recoverFrom: z.string().optional(),
  }),
  'talos.export-configs': none,
  'k3s.prepare-node': z.object({
    ...onNode,
    nvme: z.object({ device: z.string(), mountPoint: z.string() }).optional(),
  }),
  'k3s.install-server': z.object({
    ...onNode,
    role,
    /**
     * A restore: the snapshot the first server's datastore is restored from (etcd's
     * `--cluster-reset-restore-path`, or a SQLite state.db); on another server, the one the
     * cluster was restored from, so that it drops its old datastore and joins anew.
     */
    restoreFrom: z.string().optional(),
  }),
  'k3s.install-agent': z.object({ ...onNode, role }),
  'k3s.export-kubeconfig': none,
  'cluster.wait-ready': none,
  'addon.install': z.object({ addon: z.enum(addonKeys) }),
  'cluster.ready': none,
  'node.upgrade-os': z.object({ ...onNode, distribution, version: z.string() }),
  'cluster.upgrade-kubernetes': z.object({ ...onNode, version: z.string() }),
  'cluster.etcd-snapshot': z.object({ ...onNode, distribution }),
  'cluster.save-backup': z.object({ retention: z.number().int().min(1) }),
  'addon.uninstall': z.object({ addon: z.enum(addonKeys) }),
  'node.reset': z.object({
    ...onSlot,
    ...onNode,
    distribution,
    /** The system partitions wiped (Talos labels), named before the step starts. */
    wipe: z.array(z.string()),
    /** Data disks wiped too (the NVMe drive), only when the destroy asked for it. */
    userDisks: z.array(z.string()),
    /** K3s: the boot device (the eMMC holding `/`) wiped too; the node boots nothing until re-flashed. */
    bootDevice: z.boolean().optional(),
  }),
  'node.power-off': z.object({ ...onSlot }),
  /** The end of a destroy: the record marked destroyed; its sealed files deleted unless kept. */
  'cluster.forget': z.object({ keepSecrets: z.boolean() }),
} as const

/** What an operation is asked to do beyond the profile (the CLI's flags, the app's dialog). */
export const operationOptionsSchema = z
  .object({
    /** Upgrade: the Talos version to move the nodes to (default: the profile's). */
    talosVersion: z.string().optional(),
    /** Upgrade: bring every enabled add-on to the catalogue's pinned chart version. */
    addons: z.boolean().optional(),
    /** Upgrade: the K3s release to move the nodes to (default: the profile's). */
    k3sVersion: z.string().optional(),
    /** Upgrade: the Kubernetes version (Talos' upgrade-k8s); none by default. */
    kubernetesVersion: z.string().optional(),
    /** Destroy: leave the add-ons' releases alone (a cluster whose API is gone cannot uninstall them). */
    keepAddons: z.boolean().optional(),
    /** Destroy: wipe each node's NVMe drive (its data volume) too. */
    wipeNvme: z.boolean().optional(),
    /** Destroy, K3s: wipe each node's eMMC (its boot device) too; it boots nothing until re-flashed. */
    wipeEmmc: z.boolean().optional(),
    /** Destroy: snapshot etcd first and keep the sealed secrets, so the cluster can be restored. */
    backupFirst: z.boolean().optional(),
    /** Restore: the etcd snapshot file the first control plane recovers from. */
    restoreSnapshot: z.string().optional(),
    /** Backup: how many snapshots to keep (the oldest are deleted). */
    retention: z.number().int().min(1).max(100).optional(),
  })
  .strict()
export type OperationOptions = z.infer<typeof operationOptionsSchema>

/** Snapshots kept per cluster unless the operation says otherwise. */
export const defaultBackupRetention = 5

export type StepKind = keyof typeof stepParams
export const stepKinds = Object.keys(stepParams) as StepKind[]
export const stepKindSchema = z.enum(stepKinds as [StepKind, ...StepKind[]])
export type StepParams<K extends StepKind> = z.infer<(typeof stepParams)[K]>

const stepBase = z.object({
  id: z.string(),
  phase: phaseIdSchema,
  title: z.string(),
  /** The node a per-node step acts on (its hostname); absent for cluster-wide steps. */
  node: z.string().optional(),
  dependsOn: z.array(z.string()),
  /**
   * Steps holding a common resource never run at the same time: "board:rack-1" (one transfer
   * slot per BMC), "node:turing-w1", "cluster" (one change to the whole cluster at a time).
   */
  resources: z.array(z.string()),
})

function stepOf<K extends StepKind>(kind: K) {
  return stepBase.extend({ kind: z.literal(kind), params: stepParams[kind] })
}

type StepSchemas = { [K in StepKind]: ReturnType<typeof stepOf<K>> }
const stepSchemas = Object.fromEntries(stepKinds.map((kind) => [kind, stepOf(kind)])) as StepSchemas

export const planStepSchema = z.discriminatedUnion(
  'kind',
  Object.values(stepSchemas) as [StepSchemas[StepKind], ...StepSchemas[StepKind][]],
)
type PlanStepByKind = { [K in StepKind]: z.infer<StepSchemas[K]> }
export type PlanStepOf<K extends StepKind> = PlanStepByKind[K]
export type PlanStep = PlanStepOf<StepKind>

export const planSchema = z.object({
  operation: operationIdSchema,
  /** Absent in runs recorded before operations took options. */
  options: operationOptionsSchema.optional(),
  profileName: z.string(),
  distribution,
  steps: z.array(planStepSchema),
})
export type Plan = z.infer<typeof planSchema>

export function stepsOfPhase(plan: Plan, phase: PhaseId): PlanStep[] {
  return plan.steps.filter((step) => step.phase === phase)
}

/** The phases of the plan's operation that have steps, in the order they run. */
export function planPhases(plan: Plan): PhaseId[] {
  return (operationPhases[plan.operation] as readonly PhaseId[]).filter(
    (phase) => stepsOfPhase(plan, phase).length > 0,
  )
}

/** Where a step acts on a board, e.g. "rack-1 · slot 2"; undefined for steps on no slot. */
export function slotOf(step: PlanStep): { board: string; slot: number } | undefined {
  return 'slot' in step.params ? { board: step.params.board, slot: step.params.slot } : undefined
}

/** The names of the shared resources: "board:<name>" uses the board's name as the user wrote it. */
export const resourceKeys = {
  board: (board: string) => `board:${board.toLowerCase()}`,
  node: (hostname: string) => `node:${hostname}`,
  cluster: 'cluster',
} as const
