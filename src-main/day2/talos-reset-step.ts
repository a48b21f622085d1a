// The node.reset step of a Talos destroy (docs/destroy.md): `talosctl reset` wiping the partitions
// the plan named (STATE: the node's config and identity; EPHEMERAL: its data, etcd's included) and,
// when asked, the NVMe data disk; gracefully — the node leaves etcd first — except for the last
// control plane, which has no one left to leave. No reboot: Talos halts afterwards. A node that
// already answers in maintenance mode (nothing of the cluster left) or is powered off is done.
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { StepExecutor } from '../lifecycle/step-executor.ts'
import { answersInMaintenance, configuredVersion } from '../talos/talos-node.ts'
import { nodeOf, pollUntil, talosctlFor } from '../talos/talos-step-support.ts'
import { recordedApiAddress, slotPoweredOff, talosTarget, type Day2Dependencies } from './day2-support.ts'

/** How long a node may take to wipe and halt after accepting the reset. */
const haltTimeoutMs = 10 * 60_000

export function talosResetStep(deps: Day2Dependencies): StepExecutor<'node.reset'> {
  const pollMs = deps.pollMs ?? 3000
  return {
    async alreadyDone(context) {
      const { board, slot } = context.step.params
      if (await slotPoweredOff(deps, board, slot))
        return { message: `${context.step.node} is powered off (${board} slot ${slot})` }
      const node = nodeOf(context, context.step.node!)
      const address = recordedApiAddress(deps, context, node)
      const talosctl = await talosctlFor(
        deps,
        context,
        deps.clusterRecord(context.profile.name)?.versions.talos,
      )
      if (await answersInMaintenance(talosctl, address))
        return { message: `${node.hostname} answers in maintenance mode at ${address}: it holds no cluster` }
      return null
    },
    async run(context) {
      const { params } = context.step
      const { node, address, talosconfig, talosctl } = await talosTarget(deps, context, context.step.node!)
      const controlPlanes = context.profile.nodes.filter((n) => n.role === 'control-plane')
      // The destroy resets control planes one at a time in profile order: the last one is alone in etcd.
      const graceful = !(node.role === 'control-plane' && controlPlanes.at(-1)?.hostname === node.hostname)
      context.log(
        `Resetting ${node.hostname} at ${address}: wiping ${[...params.wipe, ...params.userDisks].join(', ')}${graceful ? ', leaving etcd first' : ' (the last control plane: no etcd member left to hand over to)'}`,
      )
      await talosctl({
        args: [
          'reset',
          `--graceful=${String(graceful)}`,
          '--reboot=false',
          '--wait=false',
          ...params.wipe.flatMap((label) => ['--system-labels-to-wipe', label]),
          ...params.userDisks.flatMap((disk) => ['--user-disks-to-wipe', disk]),
          '-n',
          address,
          '-e',
          address,
        ],
        talosconfig,
      })
      // Talos wipes, then halts: done once the node no longer answers as part of the cluster.
      const halted = await pollUntil(context, pollMs, haltTimeoutMs, async () =>
        (await slotPoweredOff(deps, params.board, params.slot)) ||
        (await configuredVersion(talosctl, address, talosconfig)) === null
          ? true
          : null,
      )
      if (!halted) {
        throw new AppError(
          'timeout',
          `${node.hostname} accepted the reset but still answers with the cluster’s credentials after ${haltTimeoutMs / 60_000} minutes.`,
          'Look at its serial console on the board view; retry the step to reset it again.',
        )
      }
      return {
        message: `Reset ${node.hostname}: wiped ${[...params.wipe, ...params.userDisks].join(', ')}; it no longer answers as part of the cluster`,
        output: { wiped: [...params.wipe, ...params.userDisks], graceful },
      }
    },
  }
}
