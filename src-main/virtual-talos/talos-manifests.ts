// The bootstrap manifests a virtual control plane renders from its config, as Talos's manifest
// controller does: only kube-proxy's DaemonSet, the one whose image talosctl upgrade-k8s moves
// (cluster.proxy.image). Talos creates its manifests in Kubernetes once the cluster is bootstrapped
// and never updates them; upgrade-k8s reads them back through the resource API and applies them.

const labels = { tier: 'node', 'k8s-app': 'kube-proxy' }

/** kube-system/kube-proxy on every node: host network, tolerating every taint. */
export function kubeProxyDaemonSet(image: string): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'kube-proxy', namespace: 'kube-system', labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          hostNetwork: true,
          priorityClassName: 'system-node-critical',
          tolerations: [{ operator: 'Exists' }],
          containers: [
            {
              name: 'kube-proxy',
              image,
              command: ['/usr/local/bin/kube-proxy', '--hostname-override=$(NODE_NAME)'],
              env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
            },
          ],
        },
      },
    },
  }
}
