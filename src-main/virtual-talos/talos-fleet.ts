// Every virtual Talos node of this process, as apid's proxying and etcd's membership see them:
// nodes whose API is up by address (apid forwards `-n` requests to them), and the disks of all
// nodes, for whether a cluster already has etcd data (a second bootstrap is refused).
import type { MachineConfig } from './machine-config.ts'
import { osCaFromConfig, type OsCa } from './talos-certs.ts'
import type { TalosDisk } from './talos-disk.ts'

export const talosApiPort = 50000

export interface FleetNode {
  readonly mode: string | undefined
  readonly config: MachineConfig | undefined
}

export class TalosFleet<Node extends FleetNode> {
  readonly #up = new Map<string, Node>()
  readonly #disks = new Set<TalosDisk>()

  nodeAt(address: string): Node | undefined {
    return this.#up.get(address)
  }

  up(address: string, node: Node): void {
    this.#up.set(address, node)
  }

  down(address: string, node: Node): void {
    if (this.#up.get(address) === node) this.#up.delete(address)
  }

  addDisk(disk: TalosDisk): void {
    this.#disks.add(disk)
  }

  removeDisk(disk: TalosDisk): void {
    this.#disks.delete(disk)
  }

  /** The OS CA as trustd on a running control plane of the CA's cluster would sign with it. */
  trustdCa(caCrt: string): OsCa | undefined {
    for (const node of this.#up.values()) {
      const config = node.config
      if (
        node.mode === 'configured' &&
        config?.type === 'controlplane' &&
        config.ca.crt === caCrt &&
        config.ca.key
      )
        return osCaFromConfig(config.ca.crt, config.ca.key)
    }
    return undefined
  }

  /** Whether some node of the cluster holds etcd data (it bootstrapped or joined). */
  hasEtcd(clusterId: string): boolean {
    return [...this.#disks].some((disk) => disk.etcdData && disk.config?.clusterId === clusterId)
  }
}
