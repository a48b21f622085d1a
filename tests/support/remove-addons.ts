// Takes every add-on of the catalogue out of a loopback cluster again, so that the next peers test
// finds it as the bootstrap leaves it: the releases, MetalLB's pool, the issuer, and the namespaces
// (waited for until they are gone).
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node'
import { addonCatalogue } from '../../src-shared/addons/addon-catalogue.ts'
import { helmEnv } from './chart-repository.ts'

const run = promisify(execFile)

export async function removeAddons(helm: string, kubeconfigPath: string, helmHome: string): Promise<void> {
  for (const addon of addonCatalogue)
    await run(
      helm,
      [
        'uninstall',
        addon.release,
        '--namespace',
        addon.namespace,
        '--ignore-not-found',
        '--kubeconfig',
        kubeconfigPath,
      ],
      { env: helmEnv(helmHome) },
    ).catch(() => undefined)
  const kubeConfig = new KubeConfig()
  kubeConfig.loadFromFile(kubeconfigPath)
  // The pool first: the stand-in hands out its addresses until it is gone, and namespaces go slowly.
  const custom = kubeConfig.makeApiClient(CustomObjectsApi)
  await custom
    .deleteNamespacedCustomObject({
      group: 'metallb.io',
      version: 'v1beta1',
      namespace: 'metallb-system',
      plural: 'ipaddresspools',
      name: 'clusterdeck-pool',
    })
    .catch(() => undefined)
  const core = kubeConfig.makeApiClient(CoreV1Api)
  for (const addon of addonCatalogue)
    await core.deleteNamespace({ name: addon.namespace }).catch(() => undefined)
  await custom
    .deleteClusterCustomObject({
      group: 'cert-manager.io',
      version: 'v1',
      plural: 'clusterissuers',
      name: 'clusterdeck-selfsigned',
    })
    .catch(() => undefined)
  // A namespace still terminating would refuse the next test's install into it.
  for (const deadline = Date.now() + 45_000; Date.now() < deadline;) {
    const left = await Promise.all(
      addonCatalogue.map((addon) =>
        core.readNamespace({ name: addon.namespace }).then(
          () => 1,
          () => 0,
        ),
      ),
    )
    if (left.every((found) => found === 0)) return
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}
