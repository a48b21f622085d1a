// The addon.uninstall step of a destroy: the add-on's release removed through the managed helm,
// waiting until its resources are gone. A release that is not there (never installed, removed by
// hand or by an earlier attempt) is already done, and so is every add-on of a cluster that has no
// kubeconfig sealed: nothing was ever installed into it. Longhorn's chart refuses its own removal
// until its deleting-confirmation-flag is set, which the step does first (src-main/kube/longhorn-deletion.ts).
import { addonEntry } from '../../src-shared/addons/addon-catalogue.ts'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'
import { helmHomeEnv, latestRevision, uninstall, type HelmTarget } from '../addons/helm-release.ts'
import { confirmLonghornDeletion } from '../kube/longhorn-deletion.ts'
import { withPrivateFiles } from '../addons/private-files.ts'
import type { StepContext, StepExecutor } from '../lifecycle/step-executor.ts'
import { openIfSealed } from '../talos/talos-step-support.ts'
import { registerYamlSecrets } from '../talos/talosctl-runner.ts'
import type { ToolsService } from '../tools/tools-service.ts'

export interface AddonUninstallDependencies {
  tools: Pick<ToolsService, 'resolve'>
  dataDir: string
}

type Context = StepContext<'addon.uninstall'>

export function addonUninstallStep(deps: AddonUninstallDependencies): StepExecutor<'addon.uninstall'> {
  async function withHelm<T>(
    context: Context,
    use: (helm: HelmTarget | null, kubeconfig: string) => Promise<T>,
  ): Promise<T> {
    const kubeconfig = await openIfSealed(context.sealed, sealedNames.kubeconfig)
    if (kubeconfig === null) return use(null, '')
    registerYamlSecrets(kubeconfig, context.secret)
    const helm = await deps.tools.resolve('helm')
    return withPrivateFiles(async (files) =>
      use(
        {
          helm: helm.path,
          kubeconfigPath: await files.write('kubeconfig', kubeconfig),
          env: helmHomeEnv(deps.dataDir),
          signal: context.signal,
          log: (line) => context.log(line),
          secrets: [kubeconfig],
        },
        kubeconfig,
      ),
    )
  }

  return {
    alreadyDone(context) {
      const entry = addonEntry(context.step.params.addon)
      return withHelm(context, async (helm) => {
        if (!helm) return { message: 'the cluster has no kubeconfig: no add-on was ever installed' }
        const revision = await latestRevision(helm, entry.release, entry.namespace)
        return revision === null
          ? { message: `no ${entry.release} release in namespace ${entry.namespace}` }
          : null
      })
    },
    run(context) {
      const entry = addonEntry(context.step.params.addon)
      return withHelm(context, async (helm, kubeconfig) => {
        // alreadyDone found a kubeconfig a moment ago; only a concurrent forget removes it.
        if (!helm) return { message: 'the cluster has no kubeconfig: nothing to uninstall' }
        if (entry.key === 'longhorn')
          await confirmLonghornDeletion({
            kubeconfig,
            namespace: entry.namespace,
            signal: context.signal,
            log: (line) => context.log(line),
          })
        await uninstall(helm, {
          release: entry.release,
          namespace: entry.namespace,
          timeoutSeconds: entry.timeoutSeconds,
        })
        return {
          message: `Uninstalled ${entry.title} (release ${entry.release} in ${entry.namespace})`,
          output: { release: entry.release, namespace: entry.namespace },
        }
      })
    },
  }
}
