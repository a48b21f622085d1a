import { describe, expect, it } from 'vitest'
import { emmcRootDisk, emmcWipeCommands } from './boot-device.ts'

const entry = (name: string, type: string, mountpoints: (string | null)[], children?: unknown[]) => ({
  name,
  size: '29.1G',
  type,
  fstype: type === 'part' ? 'ext4' : null,
  label: null,
  uuid: null,
  mountpoints,
  ...(children ? { children } : {}),
})
const lsblk = (...devices: unknown[]) => JSON.stringify({ blockdevices: devices })
const emmc = entry('/dev/mmcblk0', 'disk', [null], [entry('/dev/mmcblk0p1', 'part', ['/'])])
const nvme = entry('/dev/nvme0n1', 'disk', [null], [entry('/dev/nvme0n1p1', 'part', ['/var/lib/longhorn'])])

describe('emmcRootDisk', () => {
  it('finds the eMMC holding / among the disks', () => {
    expect(emmcRootDisk(lsblk(nvme, emmc), 'turing-w1').name).toBe('/dev/mmcblk0')
  })

  it('refuses a node whose root is not on an eMMC, naming the device', () => {
    const onNvme = entry('/dev/nvme0n1', 'disk', [null], [entry('/dev/nvme0n1p1', 'part', ['/'])])
    expect(() => emmcRootDisk(lsblk(onNvme, { ...emmc, children: [] }), 'turing-w1')).toThrow(
      /turing-w1 boots from \/dev\/nvme0n1 \(disk\), not from an eMMC .*nothing on it was wiped/,
    )
  })

  it('refuses output naming no root, and output that is not lsblk’s', () => {
    expect(() => emmcRootDisk(lsblk(nvme), 'turing-w1')).toThrow(/names no disk holding the root file system/)
    expect(() => emmcRootDisk('lsblk: unknown column', 'turing-w1')).toThrow(/is not JSON/)
  })
})

describe('emmcWipeCommands', () => {
  it('remounts read-only, wipes the partitions then the disk, zeroes its start, then powers off', () => {
    const { wipe, powerOff } = emmcWipeCommands(emmcRootDisk(lsblk(emmc), 'turing-w1'))
    expect(wipe.map((c) => c.command)).toEqual([
      'sync && echo u > /proc/sysrq-trigger && sleep 1',
      'wipefs -a -f /dev/mmcblk0p1',
      'wipefs -a -f /dev/mmcblk0',
      'dd if=/dev/zero of=/dev/mmcblk0 bs=1M count=32 conv=fsync status=none',
    ])
    expect(powerOff.command).toBe('echo o > /proc/sysrq-trigger')
  })
})
