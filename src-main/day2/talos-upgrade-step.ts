// The node.upgrade-os step of a Talos rolling upgrade (docs/upgrades.md): `talosctl upgrade` with
// the installer of the node's own schematic — read off the Image Factory URL its image was
// downloaded from — at the target version, then a wait until the node reports that version, is
// Ready in Kubernetes and (on a control plane) has etcd running healthy, before the plan lets the
// next node go. A node already at the target version only waits, so a run killed mid-way resumes
// at the node it stopped on. A vanilla installer is never used: on a single-board computer it
// lacks the board's overlay (bootloader, device tree) and can leave the node unbootable.
import { AppError } from '../../src-shared/contract/app-error.ts'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'
import type { ProfileNode } from '../../src-shared/profiles/profile-schema.ts'
import { installerImageOf } from '../../src-shared/talos/factory-urls.ts'
import type { listNodeReadiness } from '../kube/kube-nodes.ts'
import type { StepContext, StepExecutor } from '../lifecycle/step-executor.ts'
import { configuredVersion, listServices } from '../talos/talos-node.ts'
import { openSealed } from '../talos/talos-step-support.ts'
import {
  deployedRecord,
  talosTarget,
  waitUpgraded,
  type Day2Dependencies,
  type TalosTarget,
} from './day2-support.ts'

export interface TalosUpgradeDependencies extends Day2Dependencies {
  listNodeReadiness: typeof listNodeReadiness
}

type Context = StepContext<'node.upgrade-os'>

/** The installer of the schematic the node was flashed with, at the target version; or why there is none. */
export function installerFor(deps: Day2Dependencies, context: Context, node: ProfileNode): string {
  const recorded = deployedRecord(deps, context).nodes.find((n) => n.hostname === node.hostname)
  const url = recorded?.imageSha256 ? deps.imageSourceUrl(recorded.imageSha256) : null
  const installer = url ? installerImageOf(url) : null
  if (!installer) {
    throw new AppError(
      'invalid_input',
      `The installer of ${node.hostname}’s own schematic is unknown: its image ${url ? `came from ${url}, not the Image Factory` : 'is not in the image library with the URL it was downloaded from'}. A vanilla Talos installer lacks the board’s overlay and can leave a single-board computer unbootable, so nothing was upgraded.`,
      'Image the node from an Image Factory schematic (profile image source talosFactory), or upgrade it by hand with the installer of its schematic.',
    )
  }
  return installer.replace(/:[^:/]+$/, `:${context.step.params.version}`)
}

export function talosUpgradeStep(deps: TalosUpgradeDependencies): StepExecutor<'node.upgrade-os'> {
  const pollMs = deps.pollMs ?? 3000

  async function target(context: Context): Promise<TalosTarget> {
    return talosTarget(deps, context, context.step.node!, context.step.params.version)
  }

  /** What still keeps the node from counting as upgraded; empty when nothing does. */
  async function problems(context: Context, t: TalosTarget, kubeconfig: string): Promise<string[]> {
    const { version } = context.step.params
    const reported = await configuredVersion(t.talosctl, t.address, t.talosconfig)
    if (reported === null) return [`${t.node.hostname} does not answer with the cluster’s credentials yet`]
    if (reported !== version) return [`${t.node.hostname} reports Talos ${reported}, not ${version}`]
    const found: string[] = []
    const readiness = await deps.listNodeReadiness(kubeconfig, context.signal).catch((error: unknown) => {
      found.push(`the Kubernetes API: ${(error as Error).message}`)
      return null
    })
    const own = readiness?.find((n) => n.name === t.node.hostname)
    if (readiness && !own) found.push(`${t.node.hostname} is not a Kubernetes node`)
    else if (own && !own.ready)
      found.push(`${t.node.hostname} is not Ready (${own.reason || 'no reason given'})`)
    if (t.node.role === 'control-plane') {
      const services = await listServices(t.talosctl, t.address, [t.address], t.talosconfig).catch(
        (error: unknown) => {
          found.push(`its services: ${(error as Error).message}`)
          return []
        },
      )
      const etcd = services.find((row) => row.service === 'etcd')
      if (!etcd) found.push(`${t.node.hostname} lists no etcd service`)
      else if (etcd.state !== 'Running' || etcd.health !== 'OK')
        found.push(`etcd on ${t.node.hostname} is ${etcd.state} (health ${etcd.health})`)
    }
    return found
  }

  return {
    async alreadyDone(context) {
      const t = await target(context)
      const kubeconfig = await openSealed(
        context,
        sealedNames.kubeconfig,
        'Export kubeconfig and talosconfig',
      )
      const left = await problems(context, t, kubeconfig)
      return left.length === 0
        ? { message: `${t.node.hostname} runs Talos ${context.step.params.version}, Ready` }
        : null
    },
    async run(context) {
      const { version } = context.step.params
      const t = await target(context)
      const kubeconfig = await openSealed(
        context,
        sealedNames.kubeconfig,
        'Export kubeconfig and talosconfig',
      )
      const before = await configuredVersion(t.talosctl, t.address, t.talosconfig)
      if (before === null) {
        throw new AppError(
          'network_unreachable',
          `${t.node.hostname} does not answer with the cluster’s credentials at ${t.address}:50000, so it was not upgraded.`,
          'Look at its serial console on the board view; retry the step once it answers.',
        )
      }
      if (before !== version) {
        const installer = installerFor(deps, context, t.node)
        context.log(`${t.node.hostname} runs Talos ${before}: upgrading it with ${installer}`)
        await t.talosctl({
          args: ['upgrade', '--image', installer, '--wait=false', '-n', t.address, '-e', t.address],
          talosconfig: t.talosconfig,
        })
      } else {
        context.log(`${t.node.hostname} already runs Talos ${version}: waiting until it is Ready`)
      }
      // The node is asked only after it went away to reboot: right after the call it still answers as before.
      await waitUpgraded(context, pollMs, `Talos ${version}`, () => problems(context, t, kubeconfig))
      return {
        message: `${t.node.hostname} moved from Talos ${before} to ${version}; Ready${t.node.role === 'control-plane' ? ', etcd healthy' : ''}`,
        output: { from: before, to: version },
      }
    },
  }
}
