// What a day-2 run is checked against before it starts: a restore has its snapshot; the others have
// a deployed cluster to act on, and
// for an upgrade (docs/upgrades.md) the versions the cluster record says run now against the plan's
// targets — one minor release at a time, never back.
import { existsSync, statSync } from 'node:fs'
import { isAbsolute } from 'node:path'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { ClusterRecord } from '../../src-shared/clusters/cluster-schema.ts'
import type { Plan } from '../../src-shared/lifecycle/plan.ts'
import { upgradeSkewProblem } from '../../src-shared/lifecycle/version-skew.ts'
import type { ClusterProfile } from '../../src-shared/profiles/profile-schema.ts'

export function checkDay2Start(record: ClusterRecord | null, profile: ClusterProfile, plan: Plan): void {
  if (plan.operation === 'deploy') return
  if (plan.operation === 'restore') return checkRestore(profile, plan)
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
  if (plan.operation !== 'upgrade') return
  const targets: [string, string | undefined, string | undefined][] =
    profile.distribution === 'talos'
      ? [
          ['Talos', record.versions.talos, plan.options?.talosVersion ?? profile.versions.talos],
          ['Kubernetes', record.versions.kubernetes, plan.options?.kubernetesVersion],
        ]
      : [['K3s', record.versions.k3s, plan.options?.k3sVersion ?? profile.versions.k3s]]
  const problems = targets.flatMap(([what, current, target]) => {
    const problem = target ? upgradeSkewProblem(what, current, target) : null
    return problem ? [problem] : []
  })
  if (problems.length > 0) {
    throw new AppError(
      'invalid_input',
      `The upgrade of "${profile.name}" was not started: ${problems.join('; ')}.`,
      `Choose a version within one minor release of the running one (clusterdeck upgrade PROFILE --${profile.distribution} V --dry-run shows the plan).`,
    )
  }
}

/** A restore needs a readable snapshot file (its kind is checked by the step that restores it). */
function checkRestore(profile: ClusterProfile, plan: Plan): void {
  const snapshot = plan.options?.restoreSnapshot
  if (!snapshot) {
    throw new AppError(
      'invalid_input',
      `A restore of "${profile.name}" needs the snapshot to recover from (etcd's, or a K3s single server's SQLite datastore).`,
      `Name it: clusterdeck restore ${profile.name} --snapshot FILE (clusterdeck cluster backups ${profile.name} lists the kept ones).`,
    )
  }
  if (!isAbsolute(snapshot) || !existsSync(snapshot) || statSync(snapshot).size === 0) {
    throw new AppError(
      'invalid_input',
      `The snapshot "${snapshot}" is not a readable file (an absolute path to a non-empty snapshot); nothing was restored.`,
    )
  }
}
