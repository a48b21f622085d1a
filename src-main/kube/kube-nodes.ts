// The app's own reader of a cluster's nodes: which are Ready, and why the others are not, as each
// node's Ready condition says (the kubelet reports it; the node controller turns it Unknown when
// the kubelet goes silent).
import { CoreV1Api, type V1Node } from '@kubernetes/client-node'
import { callKubeApi } from './kube-call.ts'
import { loadKubeconfig } from './kubeconfig.ts'

export interface NodeReadiness {
  name: string
  ready: boolean
  /** why not, from the Ready condition */
  reason: string
}

export async function listNodeReadiness(
  kubeconfigYaml: string,
  signal?: AbortSignal,
): Promise<NodeReadiness[]> {
  const { kubeConfig, server } = loadKubeconfig(kubeconfigYaml)
  const core = kubeConfig.makeApiClient(CoreV1Api)
  const nodes = await callKubeApi({ server, what: 'list the nodes', signal }, (options) =>
    core.listNode({}, options),
  )
  return nodes.items.map(nodeReadiness).sort((a, b) => a.name.localeCompare(b.name))
}

/** A Ready node has an empty reason; the others carry the condition's reason and message. */
export function nodeReadiness(node: V1Node): NodeReadiness {
  const name = node.metadata?.name ?? ''
  const condition = node.status?.conditions?.find((c) => c.type === 'Ready')
  if (!condition) return { name, ready: false, reason: 'the node has not reported whether it is Ready yet' }
  if (condition.status === 'True') return { name, ready: true, reason: '' }
  const why = [condition.reason, condition.message].filter(Boolean).join(': ')
  return { name, ready: false, reason: why || `Ready is ${condition.status}` }
}
