// What the plan compilers of every operation share: the builder that types each step's
// parameters by its kind, the order of nodes and the layers of add-ons.
import type { ClusterProfile, ProfileNode } from '../profiles/profile-schema.ts'
import type { AddonKey, OperationId, Plan, PlanStep, PlanStepOf, StepKind } from './plan.ts'

// The seed's add-on layers: network first, storage before monitoring.
export const addonOrder: ReadonlyArray<{ key: AddonKey; title: string; after: readonly AddonKey[] }> = [
  { key: 'metallb', title: 'MetalLB', after: [] },
  { key: 'ingressNginx', title: 'ingress-nginx', after: ['metallb'] },
  { key: 'certManager', title: 'cert-manager', after: ['ingressNginx'] },
  { key: 'longhorn', title: 'Longhorn', after: ['metallb'] },
  { key: 'monitoring', title: 'Monitoring (kube-prometheus-stack)', after: ['longhorn'] },
  { key: 'portainer', title: 'Portainer', after: ['metallb'] },
]

/** The add-ons the profile enables, in install order. */
export function enabledAddons(profile: ClusterProfile): typeof addonOrder {
  return addonOrder.filter(({ key }) => profile.addons[key].enabled)
}

/** Nodes by board and slot: the order rows are drawn and flashes run in. */
export function orderedNodes(profile: ClusterProfile): ProfileNode[] {
  return [...profile.nodes].sort((a, b) => a.board.localeCompare(b.board) || a.slot - b.slot)
}

/** Builds a plan's steps; `step` infers each kind's parameters, so a plan cannot carry wrong ones. */
export class PlanBuilder {
  readonly steps: PlanStep[] = []

  step<K extends StepKind>(
    kind: K,
    step: Omit<PlanStepOf<K>, 'kind' | 'resources'> & { resources?: string[] },
  ): void {
    this.steps.push({ ...step, kind, resources: step.resources ?? [] } as PlanStepOf<K>)
  }

  plan(operation: OperationId, profile: ClusterProfile): Plan {
    return { operation, profileName: profile.name, distribution: profile.distribution, steps: this.steps }
  }
}
