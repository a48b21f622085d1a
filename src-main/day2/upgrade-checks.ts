// What a day-2 run is checked against before it starts: there is a deployed cluster to act on, and
// for an upgrade (docs/upgrades.md) the versions the cluster record says run now against the plan's
// targets — one minor release at a time, never back.
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { ClusterRecord } from '../../src-shared/clusters/cluster-schema.ts'
import type { Plan } from '../../src-shared/lifecycle/plan.ts'
import { upgradeSkewProblem } from '../../src-shared/lifecycle/version-skew.ts'
import type { ClusterProfile } from '../../src-shared/profiles/profile-schema.ts'

export function checkDay2Start(record: ClusterRecord | null, profile: ClusterProfile, plan: Plan): void {
  if (plan.operation === 'deploy') return
  if (!record || record.nodes.length === 0 || record.destroyedAt !== null) {
    throw new AppError(
      'invalid_input',
      record?.destroyedAt
        ? `"${profile.name}" was destroyed on ${record.destroyedAt}: there is no cluster to ${plan.operation}.`
        : `Nothing has been deployed from "${profile.name}": there is no cluster to ${plan.operation}.`,
      `Deploy it first: clusterdeck deploy ${profile.name}`,
    )
  }
  checkUpgradeSkew(record, profile, plan)
}

function checkUpgradeSkew(record: ClusterRecord, profile: ClusterProfile, plan: Plan): void {
  if (plan.operation !== 'upgrade' || profile.distribution !== 'talos') return
  const targets: [string, string | undefined, string | undefined][] = [
    ['Talos', record.versions.talos, plan.options?.talosVersion ?? profile.versions.talos],
    ['Kubernetes', record.versions.kubernetes, plan.options?.kubernetesVersion],
  ]
  const problems = targets.flatMap(([what, current, target]) => {
    const problem = target ? upgradeSkewProblem(what, current, target) : null
    return problem ? [problem] : []
  })
  if (problems.length > 0) {
    throw new AppError(
      'invalid_input',
      `The upgrade of "${profile.name}" was not started: ${problems.join('; ')}.`,
      'Choose a version within one minor release of the running one (clusterdeck upgrade PROFILE --talos V --dry-run shows the plan).',
    )
  }
}
