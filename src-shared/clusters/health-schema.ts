// A deployed cluster's health as the cluster view and `clusterdeck cluster health` show it: its
// nodes, the pods that are not Ready and why, each add-on the profile enables, recent warnings, and
// one verdict with its reasons (docs/cluster-health.md). It holds no secret.
import { z } from 'zod'
import { addonKeys } from '../lifecycle/plan.ts'

export const healthStates = ['healthy', 'degraded', 'unreachable'] as const
export type HealthState = (typeof healthStates)[number]

export const healthNodeSchema = z.object({
  name: z.string(),
  ready: z.boolean(),
  /** Why it is not Ready, from its Ready condition; empty when it is. */
  reason: z.string(),
  roles: z.array(z.string()),
  kubeletVersion: z.string(),
  osImage: z.string(),
  addresses: z.array(z.object({ type: z.string(), address: z.string() })),
  cpu: z.string(),
  memory: z.string(),
})
export type HealthNode = z.infer<typeof healthNodeSchema>

export const healthPodSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  phase: z.string(),
  /** The most telling reason: a waiting container's (CrashLoopBackOff, ImagePullBackOff…) or the pod's. */
  reason: z.string(),
  containers: z.array(
    z.object({ name: z.string(), ready: z.boolean(), state: z.string(), restarts: z.number() }),
  ),
})
export type HealthPod = z.infer<typeof healthPodSchema>

export const healthAddonSchema = z.object({
  key: z.enum(addonKeys),
  title: z.string(),
  release: z.string(),
  namespace: z.string(),
  /** helm's status of the release's latest revision (deployed, failed, pending-upgrade…); null when absent. */
  releaseStatus: z.string().nullable(),
  revision: z.number().nullable(),
  /** The chart helm reports for the release, e.g. metallb-0.16.1; null when helm could not be asked. */
  chart: z.string().nullable(),
  /** The chart version the catalogue pins. */
  pinnedVersion: z.string(),
  checks: z.array(z.object({ ready: z.boolean(), detail: z.string() })),
  podsReady: z.number(),
  podsTotal: z.number(),
  /** Its web UI when the cluster gives it an address (a LoadBalancer's). */
  url: z.string().nullable(),
  /** How to reach a web UI that has no address of its own. */
  portForward: z.object({ command: z.string(), localUrl: z.string() }).nullable(),
  ready: z.boolean(),
})
export type HealthAddon = z.infer<typeof healthAddonSchema>

export const healthWarningSchema = z.object({
  namespace: z.string(),
  /** kind/name of what it is about. */
  object: z.string(),
  reason: z.string(),
  message: z.string(),
  count: z.number(),
  lastSeen: z.string(),
})
export type HealthWarning = z.infer<typeof healthWarningSchema>

export const clusterHealthSchema = z.object({
  cluster: z.string(),
  /** The API server the kubeconfig names. */
  server: z.string().nullable(),
  state: z.enum(healthStates),
  /** Why it is not healthy, one line each; empty when healthy. */
  reasons: z.array(z.string()),
  /** When the cluster could not be reached: what failed and what to do. */
  unreachable: z.object({ message: z.string(), hint: z.string().optional() }).nullable(),
  nodes: z.array(healthNodeSchema),
  notReadyPods: z.array(healthPodSchema),
  addons: z.array(healthAddonSchema),
  warnings: z.array(healthWarningSchema),
  checkedAt: z.string(),
})
export type ClusterHealth = z.infer<typeof clusterHealthSchema>
