// The eMMC of a virtual Armbian node (/dev/mmcblk0), the device the board flashes: what the
// Armbian image put on it — an MBR, the Rockchip boot loader in the first MiBs and the root file
// system (ext4 "armbi_root", from 16 MiB) on /dev/mmcblk0p1, mounted at / while the node runs.
// wipefs and dd on it (docs/destroy.md) take those away; once the boot loader or the partition
// table is gone the slot boots nothing until it is flashed again (BoardState.eraseBootDevice).
import { randomUUID } from 'node:crypto'
import { lsblkEntry, type NvmeFileSystem } from './nvme-drive.ts'

export const emmcDevice = '/dev/mmcblk0'
export const emmcRootPartition = `${emmcDevice}p1`
const sizeBytes = 31_268_536_320
const mib = 1024 * 1024
/** Where the image's parts sit: idbloader at sector 64, the root file system's superblock past 16 MiB. */
const bootLoaderStart = 64 * 512
const rootSuperblockEnd = 16 * mib + 1024 + 0x3a

export interface Emmc {
  partitionTable: boolean
  bootLoader: boolean
  rootFileSystem: NvmeFileSystem | null
}

export function flashedEmmc(): Emmc {
  return {
    partitionTable: true,
    bootLoader: true,
    rootFileSystem: { fstype: 'ext4', label: 'armbi_root', uuid: randomUUID() },
  }
}

export function emmcBootable(emmc: Emmc): boolean {
  return emmc.partitionTable && emmc.bootLoader && emmc.rootFileSystem !== null
}

/** `wipefs -a` on the disk or its partition: what it prints, as util-linux words it. */
export function wipeEmmcSignatures(emmc: Emmc, device: string): string {
  if (device === emmcRootPartition) {
    const fs = emmc.rootFileSystem
    emmc.rootFileSystem = null
    return fs ? `${device}: 2 bytes were erased at offset 0x00000438 (${fs.fstype}): 53 ef\n` : ''
  }
  const had = emmc.partitionTable
  emmc.partitionTable = false
  return had ? `${device}: 2 bytes were erased at offset 0x000001fe (dos): 55 aa\n` : ''
}

/** `dd if=/dev/zero of=/dev/mmcblk0` over its first `bytes`: whatever starts there is gone. */
export function zeroEmmcStart(emmc: Emmc, bytes: number): void {
  if (bytes > 0) emmc.partitionTable = false
  if (bytes > bootLoaderStart) emmc.bootLoader = false
  if (bytes >= rootSuperblockEnd) emmc.rootFileSystem = null
}

/** The eMMC as `lsblk -J -p` describes it. */
export function emmcLsblkEntry(emmc: Emmc) {
  // The kernel keeps the partition it read at boot (and its mount) until the table is read again.
  return {
    ...lsblkEntry(emmcDevice, 'disk', sizeBytes, null, null),
    children: [lsblkEntry(emmcRootPartition, 'part', sizeBytes - 16 * mib, emmc.rootFileSystem, '/')],
  }
}
