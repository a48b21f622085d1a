// What stands behind a virtual control plane: the Kubernetes API its kubeconfig points at and the
// etcd its snapshots come from. The kube domain implements these over the loopback cluster
// (loopback-backends.ts); without them a virtual node answers those calls with a clear error.
export interface VirtualKubernetes {
  /** A kubeconfig (YAML) for the loopback API, its cluster/user/context renamed for `clusterName`,
   *  current context `admin@<clusterName>` (what talosctl kubeconfig hands out). */
  kubeconfigFor(clusterName: string): Promise<string>
  /**
   * A configured Talos node is up, or a virtual Armbian node's K3s unit started: a Node named
   * `hostname` appears and turns Ready, labelled and described as that OS would.
   */
  joinNode(
    node: { hostname: string; role: 'control-plane' | 'worker'; address: string } & (
      { talosVersion: string; kubeletVersion?: string } | { k3sVersion: string; osImage: string }
    ),
  ): Promise<void>
  /**
   * A Talos control plane's kubelet mirrors its static pods: kube-system Pods on its Node, labelled
   * `k8s-app: <component>`, running `image`, annotated with the version of the config resource
   * they were rendered from (talos.dev/config-version). Created, or updated in place.
   */
  mirrorStaticPods(node: {
    hostname: string
    pods: { component: string; image: string; configVersion: string }[]
  }): Promise<void>
  /**
   * A bootstrapped control plane's manifests (talos-manifests.ts): each object is created when
   * missing and left as it is when it exists, as Talos's manifest controller does.
   */
  createObjects(objects: Record<string, unknown>[]): Promise<void>
  /** The node was reset or powered off: its Node goes away. */
  leaveNode(hostname: string): Promise<void>
  /** Every Node of the loopback cluster, as `kubectl get nodes -o json` lists them. */
  listNodes(): Promise<unknown[]>
}

export interface VirtualEtcd {
  /** A real etcd snapshot (bbolt file + sha256 trailer, as etcd's Maintenance.Snapshot streams it). */
  snapshot(signal: AbortSignal): AsyncIterable<Uint8Array>
}

export interface VirtualTalosBackends {
  kubernetes?: VirtualKubernetes
  etcd?: VirtualEtcd
}
