// The NVMe drive of a virtual Armbian node (/dev/nvme0n1): hardware, so it keeps what was written
// to it across reboots and reflashes of the eMMC. Blank by default; a test may give it a partition
// table and file systems of its own. What the disk tools (wipefs, parted, mkfs.ext4, mount) do
// to it follows the K3s reference §3.4, and lsblk describes it as util-linux's `lsblk -J -p` does.
import { randomUUID } from 'node:crypto'

export const nvmeDevice = '/dev/nvme0n1'
const sizeBytes = 1_000_204_886_016

export interface NvmeFileSystem {
  fstype: string
  label: string | null
  uuid: string
}

export interface NvmePartition {
  name: string
  fileSystem: NvmeFileSystem | null
}

export interface NvmeDrive {
  /** A file system written on the whole drive, without a partition table. */
  fileSystem: NvmeFileSystem | null
  /** null: no partition table. */
  partitions: NvmePartition[] | null
}

/** What a test may put on the drive: partitions (each with a file system or none), or a bare file system. */
export interface NvmeLayout {
  partitions?: ({ fstype: string; label?: string } | null)[]
  fileSystem?: { fstype: string; label?: string }
}

export function blankNvme(): NvmeDrive {
  return { fileSystem: null, partitions: null }
}

export function nvmeFromLayout(layout: NvmeLayout): NvmeDrive {
  const fileSystem = (spec: { fstype: string; label?: string } | null | undefined) =>
    spec ? { fstype: spec.fstype, label: spec.label ?? null, uuid: uuidFor(spec.fstype) } : null
  return {
    fileSystem: fileSystem(layout.fileSystem),
    partitions:
      layout.partitions?.map((spec, i) => ({
        name: `${nvmeDevice}p${i + 1}`,
        fileSystem: fileSystem(spec),
      })) ?? null,
  }
}

/** ext4 and XFS have UUIDs; vfat and NTFS shorter serial numbers, as blkid shows them. */
function uuidFor(fstype: string): string {
  if (fstype === 'vfat')
    return randomUUID()
      .slice(0, 9)
      .replace('-', '')
      .toUpperCase()
      .replace(/^(.{4})/, '$1-')
  if (fstype === 'ntfs') return randomUUID().replaceAll('-', '').slice(0, 16).toUpperCase()
  return randomUUID()
}

/** One device as `lsblk -J -p -o NAME,SIZE,TYPE,FSTYPE,LABEL,UUID,MOUNTPOINTS` lists it. */
export function lsblkEntry(
  name: string,
  type: string,
  bytes: number,
  fs: NvmeFileSystem | null,
  mountpoint: string | null,
) {
  return {
    name,
    // lsblk's human size, as it prints it without -b.
    size: `${(bytes / 1024 ** 3).toFixed(1)}G`,
    type,
    fstype: fs?.fstype ?? null,
    label: fs?.label ?? null,
    uuid: fs?.uuid ?? null,
    mountpoints: [mountpoint],
  }
}

export function nvmeLsblkEntry(drive: NvmeDrive, mounts: ReadonlyMap<string, string>) {
  const entry = (name: string, type: string, bytes: number, fs: NvmeFileSystem | null) =>
    lsblkEntry(name, type, bytes, fs, mounts.get(name) ?? null)
  const partitionBytes = drive.partitions ? (sizeBytes - 2 * 1024 ** 2) / drive.partitions.length : 0
  return {
    ...entry(nvmeDevice, 'disk', sizeBytes, drive.fileSystem),
    ...(drive.partitions?.length
      ? { children: drive.partitions.map((p) => entry(p.name, 'part', partitionBytes, p.fileSystem)) }
      : {}),
  }
}

export function lsblkJson(devices: object[]): string {
  return `${JSON.stringify({ blockdevices: devices }, null, 3)}\n`
}

/** The drive or one of its partitions, by device path. */
export function nvmeTarget(
  drive: NvmeDrive,
  device: string,
): { kind: 'disk' } | { kind: 'part'; partition: NvmePartition } | undefined {
  if (device === nvmeDevice) return { kind: 'disk' }
  const partition = drive.partitions?.find((p) => p.name === device)
  return partition ? { kind: 'part', partition } : undefined
}

export function newExt4(label: string | null): NvmeFileSystem {
  return { fstype: 'ext4', label, uuid: randomUUID() }
}

/** Every file system on the drive, with the device that holds it. */
export function nvmeFileSystems(drive: NvmeDrive): { device: string; fs: NvmeFileSystem }[] {
  return [
    ...(drive.fileSystem ? [{ device: nvmeDevice, fs: drive.fileSystem }] : []),
    ...(drive.partitions ?? []).flatMap((p) => (p.fileSystem ? [{ device: p.name, fs: p.fileSystem }] : [])),
  ]
}
