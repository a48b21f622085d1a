// `lsblk -J -p -o NAME,SIZE,TYPE,FSTYPE,LABEL,UUID,MOUNTPOINTS` output as util-linux 2.41 prints it
// for one drive, for the NVMe tests.
import { parseLsblk, planNvme, type BlockDevice, type NvmeInput } from '../../src-shared/k3s/nvme-disk.ts'

/** The drive `device`, with a partition per entry of `children` (none: no partition table). */
export function lsblkOutput(
  device: string,
  children?: Partial<BlockDevice>[],
  disk: Partial<BlockDevice> = {},
): string {
  const part = (c: Partial<BlockDevice>, i: number) => ({
    name: `${device}p${i + 1}`,
    size: '931.5G',
    type: 'part',
    fstype: null,
    label: null,
    uuid: null,
    mountpoints: [null],
    ...c,
  })
  return JSON.stringify({
    blockdevices: [
      {
        name: device,
        size: '931.5G',
        type: 'disk',
        fstype: null,
        label: null,
        uuid: null,
        mountpoints: [null],
        ...disk,
        ...(children ? { children: children.map(part) } : {}),
      },
    ],
  })
}

// One NVMe drive of turing-w1, as the NVMe planning tests (unit and with a real sh) see it.
export const device = '/dev/nvme0n1'
export const mountPoint = '/var/lib/longhorn'
export const uuid = '3f1c2a9e-7d4b-4c1e-9a55-0f6e8d2b1c44'
export const lsblk = (children?: Partial<BlockDevice>[], disk?: Partial<BlockDevice>) =>
  lsblkOutput(device, children, disk)
export const rootFstab =
  'UUID=aaaa-bbbb / ext4 defaults,noatime,commit=600,errors=remount-ro 0 1\ntmpfs /tmp tmpfs defaults,nosuid 0 0\n'

/** What the NVMe step plans for that drive, given what lsblk printed. */
export function plan(text: string, extra: Partial<NvmeInput> = {}) {
  return planNvme({
    hostname: 'turing-w1',
    device,
    mountPoint,
    disk: parseLsblk(text, device),
    fstab: rootFstab,
    ...extra,
  })
}
