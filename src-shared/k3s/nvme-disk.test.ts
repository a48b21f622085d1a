import { describe, expect, it } from 'vitest'
import { device, lsblk, mountPoint, plan, rootFstab, uuid } from '../../tests/support/lsblk-output.ts'
import { confirmationPhrase, parseLsblk, partitionPath } from './nvme-disk.ts'

const commands = (p: ReturnType<typeof plan>) => ('commands' in p ? p.commands.map((c) => c.command) : [])

describe('NVMe planning', () => {
  it('partitions and formats a blank drive without asking, erasing nothing', () => {
    const p = plan(lsblk())
    expect(p.kind).toBe('format')
    expect(commands(p)).toEqual([
      'parted -s /dev/nvme0n1 mklabel gpt mkpart longhorn ext4 0% 100%',
      'udevadm settle',
      'mkfs.ext4 -F -L longhorn /dev/nvme0n1p1',
    ])
  })

  it('refuses a drive that holds data until the typed phrase names this node and drive', () => {
    const text = lsblk([{ fstype: 'ext4', label: 'photos', uuid }])
    const asked = plan(text)
    expect(asked).toEqual({
      kind: 'needs-confirmation',
      holds: ['/dev/nvme0n1p1: part, 931.5G, ext4 "photos"'],
      phrase: 'erase /dev/nvme0n1 on turing-w1',
    })
    for (const typed of ['yes', 'erase /dev/nvme0n1 on turing-w2', 'erase /dev/nvme1n1 on turing-w1'])
      expect(plan(text, { confirmation: typed }).kind).toBe('needs-confirmation')
    const confirmed = plan(text, { confirmation: confirmationPhrase('turing-w1', device) })
    expect(commands(confirmed)[0]).toBe('wipefs -a /dev/nvme0n1p1 && wipefs -a /dev/nvme0n1')
    expect(commands(confirmed)).toContain('mkfs.ext4 -F -L longhorn /dev/nvme0n1p1')
  })

  it('counts a bare partition table, or a file system on the whole drive, as data', () => {
    expect(plan(lsblk([{}])).kind).toBe('needs-confirmation')
    expect(plan(lsblk(undefined, { fstype: 'LVM2_member' })).kind).toBe('needs-confirmation')
  })

  it('never touches a drive with anything mounted elsewhere, confirmed or not', () => {
    const text = lsblk([{ fstype: 'ext4', uuid, mountpoints: ['/'] }])
    for (const confirmation of [undefined, confirmationPhrase('turing-w1', device)])
      expect(() => plan(text, { confirmation })).toThrow(/in use: \/dev\/nvme0n1p1 is mounted at \/\./)
  })

  it('mounts its own file system by UUID, replacing a stale entry for the mount point', () => {
    const text = lsblk([{ fstype: 'ext4', label: 'longhorn', uuid }])
    const p = plan(text, { fstab: `${rootFstab}UUID=0000-old ${mountPoint} ext4 defaults 0 2\n` })
    expect(p.kind).toBe('mount')
    const write = 'commands' in p ? p.commands.find((c) => c.stdin !== undefined) : undefined
    expect(write?.stdin).toBe(`${rootFstab}UUID=${uuid} ${mountPoint} ext4 defaults,nofail,noatime 0 2\n`)
    expect(commands(p).at(-1)).toBe('mkdir -p /var/lib/longhorn && mount /var/lib/longhorn')
  })

  it('is done when the file system is mounted and in fstab; a mounted one only missing from fstab gets its line', () => {
    const mounted = lsblk([{ fstype: 'ext4', label: 'longhorn', uuid, mountpoints: [mountPoint] }])
    const fstab = `${rootFstab}UUID=${uuid} ${mountPoint} ext4 defaults,nofail,noatime 0 2\n`
    expect(plan(mounted, { fstab })).toEqual({ kind: 'done', uuid })
    const p = plan(mounted)
    expect(p.kind).toBe('mount')
    expect(commands(p).some((c) => c.includes('mount /var'))).toBe(false)
  })
})

describe('lsblk parsing', () => {
  it('refuses output that is not lsblk JSON, or names no such drive, or a partition', () => {
    expect(() => parseLsblk('lsblk: /dev/nvme0n1: not a block device', device)).toThrow(/is not JSON/)
    expect(() => parseLsblk('{"blockdevices":[{"name":"/dev/nvme0n1"}]}', device)).toThrow(/expected fields/)
    expect(() => parseLsblk(lsblk(), '/dev/nvme1n1')).toThrow(/does not list it/)
    expect(() => parseLsblk(lsblk(undefined, { type: 'part' }), device)).toThrow(/not a whole drive/)
  })

  it('names partitions as the kernel does', () => {
    expect(partitionPath('/dev/nvme0n1')).toBe('/dev/nvme0n1p1')
    expect(partitionPath('/dev/sda')).toBe('/dev/sda1')
  })
})
