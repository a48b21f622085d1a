// The boot device of a K3s node and how a destroy wipes it (docs/destroy.md): the disk holding
// `/` as lsblk reports it, which must be the eMMC (an mmcblk disk) — a node booted from anything
// else is refused before K3s is touched. The wipe remounts every file system read-only first
// (sysrq "u"), so the mounted root can no longer write its superblock back over the wipe; then
// wipefs on each partition and on the disk (partition table and file-system signatures) and the
// first 32 MiB zeroed, where the Rockchip boot loader sits (before the root partition's 16 MiB).
// The node then powers off through sysrq "o", which needs nothing from the wiped root file system.
import { AppError } from '../contract/app-error.ts'
import { parseLsblkDevices, type BlockDevice } from './nvme-disk.ts'
import { shellQuote, type RemoteCommand } from './remote-command.ts'

/** Every disk with its partitions and where they are mounted. */
export const rootDiskCommand: RemoteCommand = {
  command: 'lsblk -J -p -o NAME,SIZE,TYPE,FSTYPE,LABEL,UUID,MOUNTPOINTS',
}
/** How much of the start of the eMMC is zeroed: its boot loader and the partitions' first blocks. */
export const zeroedMiB = 32
const emmcPattern = /^\/dev\/mmcblk\d+$/

function holdsRoot(device: BlockDevice): boolean {
  return device.mountpoints.includes('/') || (device.children ?? []).some(holdsRoot)
}

/** The disk holding `/` on `hostname`, checked to be the eMMC; an AppError names what it is else. */
export function emmcRootDisk(lsblkText: string, hostname: string): BlockDevice {
  const disk = parseLsblkDevices(lsblkText, `the disks of ${hostname}`).find(holdsRoot)
  if (!disk)
    throw new AppError(
      'tool_failed',
      `lsblk on ${hostname} names no disk holding the root file system, so its eMMC was not wiped.`,
      'Check `lsblk -p` and `findmnt /` on the node; destroy without --wipe-emmc and re-flash it.',
    )
  if (disk.type !== 'disk' || !emmcPattern.test(disk.name))
    throw new AppError(
      'invalid_input',
      `${hostname} boots from ${disk.name} (${disk.type}), not from an eMMC (/dev/mmcblkN); nothing on it was wiped.`,
      'Destroy without --wipe-emmc; wipe that device by hand if you mean to.',
    )
  return disk
}

/** The partitions of the disk, deepest first, then the disk itself. */
function devicesOf(disk: BlockDevice): string[] {
  return [...(disk.children ?? []).flatMap(devicesOf), disk.name]
}

/** The commands that wipe the eMMC `disk` (found by emmcRootDisk), then the power-off. */
export function emmcWipeCommands(disk: BlockDevice): { wipe: RemoteCommand[]; powerOff: RemoteCommand } {
  const device = shellQuote(disk.name)
  return {
    wipe: [
      // Emergency remount read-only: queued by the kernel, hence the pause before writing.
      { command: 'sync && echo u > /proc/sysrq-trigger && sleep 1' },
      // -f: the partitions are still mounted (read-only), which wipefs otherwise refuses.
      ...devicesOf(disk).map((name) => ({ command: `wipefs -a -f ${shellQuote(name)}` })),
      {
        command: `dd if=/dev/zero of=${device} bs=1M count=${zeroedMiB} conv=fsync status=none`,
      },
    ],
    // Immediately, without unmounting or syncing file systems that are gone.
    powerOff: { command: 'echo o > /proc/sysrq-trigger' },
  }
}
