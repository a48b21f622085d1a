// Longhorn's chart runs a pre-delete hook (the longhorn-uninstall Job) that refuses to remove
// Longhorn unless its setting deleting-confirmation-flag is "true": a guard against deleting the
// volumes' data by accident. A destroy has already been confirmed by the user, so the uninstall
// step sets the flag through the Kubernetes API just before `helm uninstall` (docs/destroy.md).
import { ApiException, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node'
import { callKubeApi } from './kube-call.ts'
import { loadKubeconfig } from './kubeconfig.ts'

/** The Setting custom resource (settings.longhorn.io) the hook job reads. */
export const longhornConfirmation = {
  group: 'longhorn.io',
  version: 'v1beta2',
  plural: 'settings',
  name: 'deleting-confirmation-flag',
} as const

/**
 * Sets Longhorn's deleting-confirmation-flag to "true" in `namespace`. Setting it again is
 * harmless (a resumed destroy does); a missing Setting or CRD (a Longhorn already partly removed)
 * is logged and passed over, since then no hook can refuse either.
 */
export async function confirmLonghornDeletion(options: {
  kubeconfig: string
  namespace: string
  signal: AbortSignal
  log(line: string): void
}): Promise<void> {
  const { kubeConfig, server } = loadKubeconfig(options.kubeconfig)
  const custom = kubeConfig.makeApiClient(CustomObjectsApi)
  const setting = `${longhornConfirmation.name} (settings.${longhornConfirmation.group} in ${options.namespace})`
  const patched = await callKubeApi(
    { server, what: `set Longhorn's ${setting} to "true"`, signal: options.signal },
    (configuration) =>
      custom
        .patchNamespacedCustomObject(
          {
            group: longhornConfirmation.group,
            version: longhornConfirmation.version,
            plural: longhornConfirmation.plural,
            namespace: options.namespace,
            name: longhornConfirmation.name,
            // A Setting keeps its value at the top level, not under spec.
            body: { value: 'true' },
          },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch, configuration),
        )
        .then(
          () => true,
          (error: unknown) => {
            if (error instanceof ApiException && error.code === 404) return false
            throw error
          },
        ),
  )
  options.log(
    patched
      ? `Set Longhorn's ${setting} to "true", so its uninstall hook removes it`
      : `Longhorn's ${setting} is not there (Longhorn is partly removed already); uninstalling without it`,
  )
}
