// A deployment plan: the phases of the seed's lifecycle flowcharts made of steps, each per node or
// per cluster, with the steps it waits for. The engine runs steps whose dependencies are done, at
// the same time where they are independent; steps that share a resource (one board's BMC) run one
// after another. Step ids are stable across compilations of the same profile, so a resumed run can
// match its steps.
import { z } from 'zod'

export const phaseIds = [
  'image-preparation',
  'node-imaging',
  'cluster-bootstrap',
  'addon-deployment',
  'ready',
] as const
export const phaseIdSchema = z.enum(phaseIds)
export type PhaseId = z.infer<typeof phaseIdSchema>

export const phaseTitles: Record<PhaseId, string> = {
  'image-preparation': 'Image preparation',
  'node-imaging': 'Node imaging',
  'cluster-bootstrap': 'Cluster bootstrap',
  'addon-deployment': 'Add-on deployment',
  ready: 'Ready',
}

export const stepKinds = [
  'image.prepare',
  'node.flash',
  'node.wait-boot',
  'talos.generate-secrets',
  'talos.generate-configs',
  'talos.apply-config',
  'talos.bootstrap',
  'talos.export-configs',
  'k3s.prepare-node',
  'k3s.install-server',
  'k3s.install-agent',
  'k3s.export-kubeconfig',
  'cluster.wait-ready',
  'addon.install',
  'cluster.ready',
] as const
export const stepKindSchema = z.enum(stepKinds)
export type StepKind = z.infer<typeof stepKindSchema>

export const planStepSchema = z.object({
  id: z.string(),
  phase: phaseIdSchema,
  kind: stepKindSchema,
  title: z.string(),
  /** The node a per-node step acts on (its hostname); absent for cluster-wide steps. */
  node: z.string().optional(),
  dependsOn: z.array(z.string()),
  /** Steps with the same resource never run at the same time (e.g. "board:rack-1": one transfer slot). */
  resource: z.string().optional(),
  /** What the step needs to know, by kind (image key, board and slot, address, add-on name…). */
  params: z.record(z.string(), z.unknown()),
})
export type PlanStep = z.infer<typeof planStepSchema>

export const planSchema = z.object({
  profileName: z.string(),
  distribution: z.enum(['talos', 'k3s']),
  steps: z.array(planStepSchema),
})
export type Plan = z.infer<typeof planSchema>

export function stepsOfPhase(plan: Plan, phase: PhaseId): PlanStep[] {
  return plan.steps.filter((step) => step.phase === phase)
}
