// The Node object of a simulated kubelet: kwok (the loopback cluster's kubelet stand-in, see
// docs/test-peers.md) keeps a Node Ready while it carries kwok's annotation. The peers tests and
// the virtual control planes' Kubernetes backend create their nodes from this one shape.
import type { V1Node } from '@kubernetes/client-node'

/**
 * kwok is started to manage only nodes with this annotation set to `fake` (kwokctl's default is
 * every node), so that taking it away leaves a node's status to whoever reports it instead.
 */
export const kwokNodeAnnotation = 'kwok.x-k8s.io/node'

export interface SimulatedNodeSpec {
  name: string
  /** Labelled as a control plane (node-role.kubernetes.io/control-plane), as Talos labels its own. */
  controlPlane?: boolean
  /** Reported as the node's InternalIP; else kwok reports its own. */
  address?: string
  /** What the node's status names as its OS, e.g. `Talos (v1.12.0)`. */
  osImage?: string
  /** The kubelet's version in the node's status, e.g. `v1.33.4+k3s1` on K3s. */
  kubeletVersion?: string
  /** Further labels, e.g. K3s's own role labels (value "true"). */
  labels?: Record<string, string>
  arch?: 'amd64' | 'arm64'
}

/** A node kwok keeps Ready; no taints, so ordinary pods schedule onto it. */
export function simulatedNode(spec: SimulatedNodeSpec): V1Node {
  const resources = { cpu: '16', memory: '64Gi', pods: '110' }
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: spec.name,
      annotations: { [kwokNodeAnnotation]: 'fake' },
      labels: {
        'kubernetes.io/hostname': spec.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': spec.arch ?? 'amd64',
        type: 'kwok',
        ...(spec.controlPlane ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
        ...spec.labels,
      },
    },
    spec: {},
    status: {
      allocatable: resources,
      capacity: resources,
      ...(spec.address
        ? {
            addresses: [
              { type: 'InternalIP', address: spec.address },
              { type: 'Hostname', address: spec.name },
            ],
          }
        : {}),
      ...(spec.osImage
        ? {
            nodeInfo: {
              architecture: spec.arch ?? 'amd64',
              bootID: '',
              containerRuntimeVersion: '',
              kernelVersion: '',
              kubeProxyVersion: '',
              kubeletVersion: spec.kubeletVersion ?? '',
              machineID: '',
              operatingSystem: 'linux',
              osImage: spec.osImage,
              systemUUID: '',
            },
          }
        : {}),
    },
  }
}
