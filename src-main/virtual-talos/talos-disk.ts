// What a virtual Talos node keeps on its eMMC across power cycles (lost when a new image is
// flashed): the installed version, the applied config, etcd's data and what resets wiped.
import type { MachineConfig } from './machine-config.ts'

export const defaultTalosVersion = 'v1.12.0'

export interface TalosDisk {
  version: string
  /** The config in STATE; none means the node boots into maintenance mode. */
  config: MachineConfig | undefined
  /** A config applied with --mode=staged, taken into use at the next boot. */
  staged: MachineConfig | undefined
  /** etcd's data directory on EPHEMERAL is not empty (bootstrapped or joined). */
  etcdData: boolean
  /** Successful bootstrap calls on this node. */
  bootstraps: number
  /** An etcd snapshot uploaded for the next `bootstrap --recover-from` (EtcdRecover). */
  recoverSnapshot: Buffer | undefined
  /** Bootstraps that recovered etcd from an uploaded snapshot, with the snapshot's size. */
  recoveredFrom: { bytes: number }[]
  /** Partition labels wiped by resets, in order. */
  wipedPartitions: string[]
  /** User disks wiped by resets, in order. */
  wipedUserDisks: string[]
}

/** A freshly flashed Talos image: the version its file name names, else the default. */
export function freshTalosDisk(imageFileName: string | undefined): TalosDisk {
  const named = /v\d+\.\d+\.\d+(?:-(?:alpha|beta|rc)\.\d+)?/.exec(imageFileName ?? '')
  return {
    version: named?.[0] ?? defaultTalosVersion,
    config: undefined,
    staged: undefined,
    etcdData: false,
    bootstraps: 0,
    recoverSnapshot: undefined,
    recoveredFrom: [],
    wipedPartitions: [],
    wipedUserDisks: [],
  }
}
