// The Talos side of a virtual board's nodes: per board node, the disk a Talos image left (kept
// across power cycles, dropped when another image is flashed) and the VirtualTalosNode that runs
// while it has power, on the board node's loopback address (NodeAddresses, kept for the board's
// lifetime whatever the node boots). The board calls boot/halt/forget; the node calls back into the board for power.
import type { NodeAddresses } from '../virtual-board/node-addresses.ts'
import { freshTalosDisk, type TalosDisk } from './talos-disk.ts'
import { TalosFleet } from './talos-fleet.ts'
import type { VirtualTalosBackends } from './virtual-talos-backends.ts'
import { VirtualTalosNode, type TalosMode } from './virtual-talos-node.ts'

/** What the board lends a booting node: its console and its power switch. */
export interface TalosNodeIo {
  print(line: string): void
  powerCycle(): void
  powerOff(): void
}

/** What a test may see of a node that a real board would not show. */
export interface VirtualTalosNodeState {
  address: string
  mode: TalosMode | 'down'
  version: string
  hostname: string | undefined
  wipedPartitions: string[]
  wipedUserDisks: string[]
  bootstraps: number
  /** The snapshot sizes bootstraps recovered etcd from. */
  recoveredFrom: { bytes: number }[]
  etcdData: boolean
}

/** The nodes of every virtual board in this process, for apid's forwarding between them. */
const processFleet = new TalosFleet<VirtualTalosNode>()

interface Slot {
  disk: TalosDisk | undefined
  node: VirtualTalosNode | undefined
  /** Counts halts, so that a boot still waiting for its address does not outlive a power-off. */
  halts: number
}

export class TalosBoardNodes {
  readonly #backends: VirtualTalosBackends
  readonly #addresses: NodeAddresses
  readonly #fleet: TalosFleet<VirtualTalosNode>
  readonly #slots = new Map<number, Slot>()
  #closed = false

  constructor(addresses: NodeAddresses, backends: VirtualTalosBackends = {}, fleet = processFleet) {
    this.#addresses = addresses
    this.#backends = backends
    this.#fleet = fleet
  }

  #slot(index: number): Slot {
    let slot = this.#slots.get(index)
    if (!slot) {
      slot = { disk: undefined, node: undefined, halts: 0 }
      this.#slots.set(index, slot)
    }
    return slot
  }

  /** Power reached a node holding a Talos image; returns once its API is up (or failed to come up). */
  async boot(index: number, imageFileName: string, io: TalosNodeIo): Promise<void> {
    const slot = this.#slot(index)
    if (!slot.disk) {
      slot.disk = freshTalosDisk(imageFileName)
      this.#fleet.addDisk(slot.disk)
    }
    const halts = slot.halts
    let address: string
    try {
      address = await this.#addresses.address(index)
    } catch (error) {
      io.print(`network setup failed: ${error instanceof Error ? error.message : String(error)}`)
      return
    }
    if (this.#closed || slot.halts !== halts) return
    await slot.node?.halt()
    if (slot.halts !== halts) return
    const node = new VirtualTalosNode({
      address,
      disk: slot.disk,
      fleet: this.#fleet,
      backends: this.#backends,
      ...io,
    })
    slot.node = node
    await node.boot()
  }

  /** Power went away. */
  async halt(index: number): Promise<void> {
    const slot = this.#slots.get(index)
    if (!slot) return
    slot.halts++
    await slot.node?.halt()
  }

  /** Another image was written: the Talos disk is gone. */
  forget(index: number): void {
    const slot = this.#slots.get(index)
    if (!slot?.disk) return
    this.#fleet.removeDisk(slot.disk)
    slot.disk = undefined
  }

  state(index: number): VirtualTalosNodeState | undefined {
    const slot = this.#slots.get(index)
    if (!slot?.disk || !slot.node) return undefined
    const { disk, node } = slot
    return {
      address: node.address,
      mode: node.mode ?? 'down',
      version: disk.version,
      hostname: disk.config?.hostname,
      wipedPartitions: [...disk.wipedPartitions],
      wipedUserDisks: [...disk.wipedUserDisks],
      bootstraps: disk.bootstraps,
      recoveredFrom: disk.recoveredFrom,
      etcdData: disk.etcdData,
    }
  }

  async close(): Promise<void> {
    this.#closed = true
    for (const [index, slot] of this.#slots) {
      await slot.node?.halt()
      this.forget(index)
    }
  }
}
