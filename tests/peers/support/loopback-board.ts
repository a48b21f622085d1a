// The virtual board of the peers tests: its Talos control planes stand on the run's loopback
// cluster (its API server, and its etcd for snapshots), flashing at 40 MB/s and booting in 100 ms
// so a whole deploy stays short.
import { startVirtualBoard, type VirtualBoard } from '../../../src-main/virtual-board/virtual-board-server.ts'
import { loopbackBackends } from '../../../src-main/virtual-talos/loopback-backends.ts'
import type { ProvidedCluster } from './cluster-setup.ts'

export async function startLoopbackBoard(cluster: ProvidedCluster): Promise<VirtualBoard> {
  return startVirtualBoard({
    firmware: '2.1',
    writeSpeedBytesPerSecond: 40e6,
    bootDelayMs: 100,
    talosBackends: await loopbackBackends({
      kubeconfigPath: cluster.kubeconfigPath,
      ...(cluster.etcdEndpoint ? { etcdEndpoint: cluster.etcdEndpoint } : {}),
    }),
  })
}
