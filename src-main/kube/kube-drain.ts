// Taking one node out of service through the Kubernetes API, as `kubectl drain` does: cordon it
// (spec.unschedulable), then evict its pods — the Eviction API honours PodDisruptionBudgets —
// except those a DaemonSet owns (they would come back at once) and static mirror pods; and wait,
// bounded, until they are gone. Used before a node is upgraded or destroyed (docs/upgrades.md,
// docs/destroy.md); uncordon puts it back.
import { CoreV1Api, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node'
import { callKubeApi } from './kube-call.ts'
import { loadKubeconfig } from './kubeconfig.ts'
import { nodeReadiness } from './kube-nodes.ts'

export interface NodeState {
  ready: boolean
  reason: string
  kubeletVersion: string
  unschedulable: boolean
}

function clientOf(kubeconfigYaml: string) {
  const { kubeConfig, server } = loadKubeconfig(kubeconfigYaml)
  return { core: kubeConfig.makeApiClient(CoreV1Api), server }
}

/** The node's readiness, kubelet version and cordon; null when there is no such Node. */
export async function readNodeState(
  kubeconfigYaml: string,
  name: string,
  signal?: AbortSignal,
): Promise<NodeState | null> {
  const { core, server } = clientOf(kubeconfigYaml)
  const nodes = await callKubeApi({ server, what: `list the nodes`, signal }, (options) =>
    core.listNode({ fieldSelector: `metadata.name=${name}` }, options),
  )
  const node = nodes.items[0]
  if (!node) return null
  const { ready, reason } = nodeReadiness(node)
  return {
    ready,
    reason,
    kubeletVersion: node.status?.nodeInfo?.kubeletVersion ?? '',
    unschedulable: node.spec?.unschedulable === true,
  }
}

/** Marks the node (un)schedulable; a node that is not there is left alone. */
export async function setCordoned(
  kubeconfigYaml: string,
  name: string,
  cordoned: boolean,
  signal?: AbortSignal,
): Promise<boolean> {
  const { core, server } = clientOf(kubeconfigYaml)
  const what = `${cordoned ? 'cordon' : 'uncordon'} node ${name}`
  return callKubeApi({ server, what, signal }, async (options) => {
    try {
      await core.patchNode(
        { name, body: { spec: { unschedulable: cordoned } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch, options),
      )
      return true
    } catch (error) {
      if ((error as { code?: number }).code === 404) return false
      throw error
    }
  })
}

/** The pods a drain evicts: not a DaemonSet's, not a static pod's mirror, not finished. */
export function evictable(pod: V1Pod): boolean {
  if (pod.metadata?.ownerReferences?.some((owner) => owner.kind === 'DaemonSet')) return false
  if (pod.metadata?.annotations?.['kubernetes.io/config.mirror']) return false
  return pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed'
}

/**
 * Cordons the node and evicts its pods, waiting up to `timeoutMs` for them to go. Returns the pods
 * still there at the end ("namespace/name"): the caller decides whether that may stop it.
 */
export async function drainNode(
  kubeconfigYaml: string,
  name: string,
  options: { timeoutMs: number; pollMs: number; signal?: AbortSignal; log(line: string): void },
): Promise<string[]> {
  const { signal } = options
  if (!(await setCordoned(kubeconfigYaml, name, true, signal))) {
    options.log(`${name} is no Kubernetes node: nothing to drain`)
    return []
  }
  const { core, server } = clientOf(kubeconfigYaml)
  const remaining = async () =>
    (
      await callKubeApi({ server, what: `list the pods on ${name}`, signal }, (o) =>
        core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${name}` }, o),
      )
    ).items.filter(evictable)
  const deadline = Date.now() + options.timeoutMs
  let pods = await remaining()
  options.log(`Cordoned ${name}; evicting ${pods.length} pod(s)`)
  while (pods.length > 0 && Date.now() < deadline) {
    for (const pod of pods) {
      const namespace = pod.metadata?.namespace ?? 'default'
      const podName = pod.metadata?.name ?? ''
      await callKubeApi({ server, what: `evict pod ${namespace}/${podName}`, signal }, async (o) => {
        try {
          await core.createNamespacedPodEviction(
            {
              name: podName,
              namespace,
              body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: podName, namespace } },
            },
            o,
          )
        } catch (error) {
          // 404: already gone; 429: a disruption budget says not yet — asked again next round.
          const code = (error as { code?: number }).code
          if (code !== 404 && code !== 429) throw error
        }
      })
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs))
    pods = await remaining()
  }
  return pods.map((pod) => `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`)
}
