// Reads what `k3s kubectl get nodes -o json` prints on a virtual K3s server, for the tests that
// check a virtual node's own view of its cluster; the app reads node readiness through the
// Kubernetes API instead (src-main/kube/kube-nodes.ts).
import { z } from 'zod'
import type { RemoteCommand } from '../../src-shared/k3s/remote-command.ts'

const nodeListSchema = z.object({
  items: z.array(
    z.object({
      metadata: z.object({ name: z.string(), labels: z.record(z.string(), z.string()).default({}) }),
      status: z
        .object({
          conditions: z.array(z.object({ type: z.string(), status: z.string() })).default([]),
          nodeInfo: z.object({ kubeletVersion: z.string() }).partial().default({}),
        })
        .default({ conditions: [], nodeInfo: {} }),
    }),
  ),
})

export interface K3sNode {
  name: string
  ready: boolean
  controlPlane: boolean
  version: string | null
}

export const getNodesCommand: RemoteCommand = { command: 'k3s kubectl get nodes -o json' }

/** `k3s kubectl get nodes -o json` on a server, as each node's name, readiness and role. */
export function parseK3sNodes(text: string): K3sNode[] {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new Error(`\`k3s kubectl get nodes -o json\` did not print JSON: ${text.slice(0, 200)}`)
  }
  const parsed = nodeListSchema.safeParse(json)
  if (!parsed.success)
    throw new Error(
      `\`k3s kubectl get nodes -o json\` printed an unexpected node list (${parsed.error.issues[0]?.path.join('.')}).`,
    )
  return parsed.data.items.map((item) => ({
    name: item.metadata.name,
    ready: item.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
    controlPlane: item.metadata.labels['node-role.kubernetes.io/control-plane'] === 'true',
    version: item.status.nodeInfo.kubeletVersion ?? null,
  }))
}

/** Which of the expected nodes are not registered yet, and which are registered but not Ready. */
export function nodesNotReady(
  nodes: K3sNode[],
  expected: string[],
): { missing: string[]; notReady: string[] } {
  const byName = new Map(nodes.map((n) => [n.name, n]))
  return {
    missing: expected.filter((name) => !byName.has(name)),
    notReady: expected.filter((name) => byName.has(name) && !byName.get(name)!.ready),
  }
}
