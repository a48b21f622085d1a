// Takes every add-on of the catalogue out of a loopback cluster again, so that the next peers test
// finds it as the bootstrap leaves it.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node'
import {
  addonCatalogue,
  metallbPoolName,
  selfSignedIssuerName,
} from '../../src-shared/addons/addon-catalogue.ts'
import { helmEnv } from './chart-repository.ts'

const run = promisify(execFile)

/**
 * Takes every add-on out of the loopback cluster again: the releases, MetalLB's pool first (the
 * stand-in hands out its addresses until it is gone), the namespaces (waiting until they are
 * gone), cert-manager's issuer.
 */
export async function removeAddons(helm: string, kubeconfigPath: string, helmHome: string): Promise<void> {
  const kubeConfig = new KubeConfig()
  kubeConfig.loadFromFile(kubeconfigPath)
  for (const addon of addonCatalogue) {
    await run(
      helm,
      [
        'uninstall',
        addon.release,
        '--namespace',
        addon.namespace,
        '--ignore-not-found',
        // Cleanup, not a test of removal: Longhorn's stand-in hook would refuse without its flag.
        '--no-hooks',
        '--kubeconfig',
        kubeconfigPath,
      ],
      { env: helmEnv(helmHome) },
    ).catch(() => undefined)
  }
  const custom = kubeConfig.makeApiClient(CustomObjectsApi)
  await custom
    .deleteNamespacedCustomObject({
      group: 'metallb.io',
      version: 'v1beta1',
      namespace: 'metallb-system',
      plural: 'ipaddresspools',
      name: metallbPoolName,
    })
    .catch(() => undefined)
  const core = kubeConfig.makeApiClient(CoreV1Api)
  for (const addon of addonCatalogue)
    await core.deleteNamespace({ name: addon.namespace }).catch(() => undefined)
  // Gone, not terminating: the next test file installs into the same namespaces.
  const deadline = Date.now() + 90_000
  for (const addon of addonCatalogue) {
    while (Date.now() < deadline) {
      const gone = await core.readNamespace({ name: addon.namespace }).then(
        () => false,
        () => true,
      )
      if (gone) break
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
  await custom
    .deleteClusterCustomObject({
      group: 'cert-manager.io',
      version: 'v1',
      plural: 'clusterissuers',
      name: selfSignedIssuerName,
    })
    .catch(() => undefined)
}
