// What the day-2 steps (upgrade, backup, destroy: docs/upgrades.md, docs/backups.md,
// docs/destroy.md) share: the Talos steps' dependencies plus the BMC and the cluster record, and
// where a node of a deployed cluster answers — read from the cluster record, since these runs do
// not have the deploy's step outputs.
import { AppError } from '../../src-shared/contract/app-error.ts'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'
import type { ClusterRecord } from '../../src-shared/clusters/cluster-schema.ts'
import type { ProfileNode } from '../../src-shared/profiles/profile-schema.ts'
import type { BmcService } from '../bmc/bmc-service.ts'
import type { K3sStepDependencies } from '../k3s/k3s-step-support.ts'
import type { StepContext } from '../lifecycle/step-executor.ts'
import {
  nodeOf,
  openSealed,
  pollUntil,
  talosctlFor,
  type TalosStepDependencies,
} from '../talos/talos-step-support.ts'
import type { Talosctl } from '../talos/talosctl-runner.ts'

export interface Day2Dependencies extends TalosStepDependencies {
  bmc: Pick<BmcService, 'power' | 'status'>
  /** The data directory: backups go to clusters/<id>/backups there. */
  dataDir: string
  /** The record of the profile's cluster, or null when nothing was deployed from it. */
  clusterRecord(profileName: string): ClusterRecord | null
  /** Deletes the cluster's sealed files (and their data key) and its backups; clears the record's list. */
  forgetSecrets(clusterId: string): Promise<void>
  /** The K3s steps' SSH access (src-main/k3s): a K3s cluster's day 2 runs over it. */
  k3s?: K3sStepDependencies
}

/** The K3s steps' dependencies, or a failure saying this core has none. */
export function k3sOf(deps: Pick<Day2Dependencies, 'k3s'>, context: StepContext): K3sStepDependencies {
  if (!deps.k3s)
    throw new AppError(
      'not_implemented',
      `"${context.step.title}" runs over SSH, and this Clusterdeck core was started without the K3s steps.`,
    )
  return deps.k3s
}

/** The deployed cluster's record, or a failure saying there is none to act on. */
export function deployedRecord(
  deps: Pick<Day2Dependencies, 'clusterRecord'>,
  context: StepContext,
): ClusterRecord {
  const record = deps.clusterRecord(context.profile.name)
  if (!record) {
    throw new AppError(
      'not_found',
      `"${context.step.title}" needs the cluster record of "${context.profile.name}", and there is none.`,
      'Deploy the profile first.',
    )
  }
  return record
}

/** Where a node's Talos API answers: as recorded when it took its config, else its profile address. */
export function recordedApiAddress(deps: Day2Dependencies, context: StepContext, node: ProfileNode): string {
  const recorded = deps.clusterRecord(context.profile.name)?.nodes.find((n) => n.hostname === node.hostname)
  return recorded?.apiAddress ?? node.address
}

export interface TalosTarget {
  node: ProfileNode
  address: string
  talosconfig: string
  talosctl: Talosctl
}

/** The step's node, where it answers, the cluster's talosconfig and a talosctl to reach it. */
export async function talosTarget(
  deps: Day2Dependencies,
  context: StepContext,
  hostname: string,
  talosVersion?: string,
): Promise<TalosTarget> {
  const node = nodeOf(context, hostname)
  const talosconfig = await openSealed(context, sealedNames.talosconfig, 'Export kubeconfig and talosconfig')
  return {
    node,
    address: recordedApiAddress(deps, context, node),
    talosconfig,
    // talosctl for what the nodes run (the record's version after an upgrade), unless told otherwise.
    talosctl: await talosctlFor(
      deps,
      context,
      talosVersion ?? deps.clusterRecord(context.profile.name)?.versions.talos,
    ),
  }
}

/** Whether the BMC reports the slot powered off (false while on or when it cannot say). */
export async function slotPoweredOff(
  deps: Pick<Day2Dependencies, 'boards' | 'bmc'>,
  boardName: string,
  slot: number,
): Promise<boolean> {
  const board = await deps.boards.get(boardName)
  const { nodes } = await deps.bmc.status({ boardId: board.id })
  return nodes.find((node) => node.node === slot)?.poweredOn === false
}

/**
 * Waits until `problems` finds nothing more keeping the step's node from counting as upgraded to
 * `target` (e.g. "Talos v1.13.0"), logging what is left on each round; a timeout names it.
 */
export async function waitUpgraded(
  context: StepContext,
  pollMs: number,
  target: string,
  problems: () => Promise<string[]>,
): Promise<void> {
  const timeoutMs = (context.profile.timeouts.bootSeconds + context.profile.timeouts.readySeconds) * 1000
  let left: string[] = []
  const upgraded = await pollUntil(context, pollMs, timeoutMs, async () => {
    left = await problems()
    if (left.length === 0) return true
    context.log(`Not upgraded yet: ${left.join('; ')}`)
    return null
  })
  if (!upgraded) {
    throw new AppError(
      'timeout',
      `${context.step.node} was not back on ${target} and Ready within ${timeoutMs / 1000} s: ${left.join('; ')}.`,
      'The next node waits. Look at its serial console; retry the step to wait again (it does not upgrade twice).',
    )
  }
}
