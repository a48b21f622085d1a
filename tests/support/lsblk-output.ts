// `lsblk -J -p -o NAME,SIZE,TYPE,FSTYPE,LABEL,UUID,MOUNTPOINTS` output as util-linux 2.41 prints it
// for one drive, for the NVMe tests.
import type { BlockDevice } from '../../src-shared/k3s/nvme-disk.ts'

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
