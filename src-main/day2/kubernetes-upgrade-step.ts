// The cluster.upgrade-kubernetes step of a Talos upgrade: `talosctl upgrade-k8s --to V` through the
// first control plane. talosctl drives it from the client side: it reads each node's resources
// through the Talos API, patches their machine configs (static pod images, kube-proxy, kubelet),
// waits until Kubernetes shows each change and applies the bootstrap manifests (docs/upgrades.md
// lists the calls; the virtual nodes serve them, tests/peers/talos-kubernetes-upgrade.test.ts).
// Which Kubernetes versions it accepts is talosctl's to say: its refusal is the step's error.
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { StepExecutor } from '../lifecycle/step-executor.ts'
import { talosTarget, type Day2Dependencies } from './day2-support.ts'

/** upgrade-k8s pulls images on every node one after another; an hour is generous for four RK1s. */
const upgradeTimeoutMs = 60 * 60_000

export function kubernetesUpgradeStep(deps: Day2Dependencies): StepExecutor<'cluster.upgrade-kubernetes'> {
  return {
    async run(context) {
      const { address: firstAddress, version } = context.step.params
      const first = context.profile.nodes.find((node) => node.address === firstAddress)
      if (!first) throw new AppError('internal', `No node of the profile has ${firstAddress}.`)
      const { address, talosconfig, talosctl } = await talosTarget(deps, context, first.hostname)
      await talosctl({
        args: ['upgrade-k8s', '--to', version.replace(/^v/, ''), '-n', address, '-e', address],
        talosconfig,
        timeoutMs: upgradeTimeoutMs,
      })
      return { message: `Kubernetes upgraded to ${version} through ${first.hostname}`, output: { version } }
    },
  }
}
