// The deploy's last step: with the cluster's sealed kubeconfig, every node of the profile Ready in
// Kubernetes and every enabled add-on ready by the same catalogue checks its install step waited
// for. Everything before it has already waited, so the wait here is short; when it runs out the
// failure names each node and add-on that is not ready (docs/profiles-and-deploy.md).
import { enabledAddons, readinessChecks } from '../../../src-shared/addons/addon-catalogue.ts'
import { AppError } from '../../../src-shared/contract/app-error.ts'
import type { ClusterProfile } from '../../../src-shared/profiles/profile-schema.ts'
import { checkAll, waitForAll } from '../../addons/addon-resources.ts'
import { KubeObjects, type CheckResult } from '../../kube/kube-objects.ts'
import type { listNodeReadiness } from '../../kube/kube-nodes.ts'
import type { StepExecutor } from '../step-executor.ts'

export interface ClusterReadyDependencies {
  listNodeReadiness: typeof listNodeReadiness
  /** The readiness checks' reader for a kubeconfig (tests pass a fake). */
  kubeFor?: (kubeconfig: string) => Pick<KubeObjects, 'check'>
  pollMs?: number
  /** How long to wait (default 2 minutes). */
  timeoutMs?: number
}

export function clusterReadyStep(deps: ClusterReadyDependencies): StepExecutor<'cluster.ready'> {
  const kubeFor = deps.kubeFor ?? ((kubeconfig: string) => new KubeObjects(kubeconfig))
  const timeoutMs = deps.timeoutMs ?? 2 * 60_000
  return {
    async run(context) {
      const { profile, signal } = context
      const kubeconfig = await context.sealed.open('kubeconfig').catch((error: unknown) => {
        if (!(error instanceof AppError) || error.code !== 'not_found') throw error
        throw new AppError(
          'not_found',
          'The cluster has no kubeconfig, so its readiness cannot be checked.',
          'Run the deploy from its Cluster bootstrap phase: that exports the kubeconfig.',
        )
      })
      const kube = kubeFor(kubeconfig)
      const addons = enabledAddons(profile)
      const look = async (): Promise<CheckResult[]> => {
        const addonResults = addons.map(async (addon) =>
          (await checkAll(kube, readinessChecks(addon.key, profile), addon.namespace)).map((result) => ({
            ...result,
            detail: `${addon.title}: ${result.detail}`,
          })),
        )
        return [
          ...(await nodeResults(deps, kubeconfig, profile, signal)),
          ...(await Promise.all(addonResults)).flat(),
        ]
      }
      const results = await waitForAll(look, timeoutMs, {
        signal,
        log: (line) => context.log(line),
        pollMs: deps.pollMs ?? 2000,
      })
      const addresses = results.flatMap((result) => (result.address ? [result.address] : []))
      return {
        message: `The cluster is Ready: ${profile.nodes.length} nodes Ready${addons.length ? `, ${addons.map((a) => a.title).join(', ')} ready` : ''}${addresses.length ? `; addresses ${[...new Set(addresses)].join(', ')}` : ''}`,
        output: {
          nodes: profile.nodes.map((node) => node.hostname),
          addons: addons.map((addon) => addon.key),
          ...(addresses.length ? { addresses: [...new Set(addresses)] } : {}),
        },
      }
    },
  }
}

/** One result per node of the profile, or one naming the API when it does not answer. */
async function nodeResults(
  deps: ClusterReadyDependencies,
  kubeconfig: string,
  profile: ClusterProfile,
  signal: AbortSignal,
): Promise<CheckResult[]> {
  let readiness: Awaited<ReturnType<typeof listNodeReadiness>>
  try {
    readiness = await deps.listNodeReadiness(kubeconfig, signal)
  } catch (error) {
    return [{ ready: false, detail: `the Kubernetes API: ${(error as Error).message}` }]
  }
  return profile.nodes.map((node) => {
    const found = readiness.find((candidate) => candidate.name === node.hostname)
    if (!found) return { ready: false, detail: `node ${node.hostname}: not a Kubernetes node` }
    return found.ready
      ? { ready: true, detail: `node ${node.hostname}: Ready` }
      : { ready: false, detail: `node ${node.hostname}: not Ready (${found.reason || 'no reason given'})` }
  })
}
