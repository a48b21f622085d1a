// Which OS an image written to a virtual node holds, read from its first bytes as a boot would
// find it: Talos disks carry a GPT whose partitions are named META, STATE and EPHEMERAL
// (talos.md); Armbian labels its root file system armbi_root (and a separate boot one armbi_boot),
// the root partition starting 16 MiB in on Rockchip boards. Only the partition tables and each
// partition's ext4 superblock are read, never the whole head. The file name is a last resort.
import type { BootLogKind } from './boot-logs.ts'

/** How much of the start of an image the transfer keeps for recognition (past Armbian's root superblock). */
export const imageHeadBytes = 20 * 1024 * 1024

const talosPartitionNames = new Set(['META', 'STATE', 'EPHEMERAL'])
const sector = 512

interface Partition {
  name: string
  /** Byte offset of the partition in the image. */
  start: number
}

/** The OS in the image's first bytes, or undefined when neither marker is there. */
export function osFromImageHead(head: Buffer): BootLogKind | undefined {
  const partitions = [...gptPartitions(head), ...mbrPartitions(head)]
  if (partitions.some(({ name }) => talosPartitionNames.has(name))) return 'talos'
  if (partitions.some(({ start }) => /^armbi_(root|boot)$/.test(ext4Label(head, start) ?? '')))
    return 'armbian'
  return undefined
}

/** The partitions of a GPT (512-byte sectors) with their names; empty without one. */
export function gptPartitions(head: Buffer): Partition[] {
  if (head.length < sector + 92 || head.toString('latin1', sector, sector + 8) !== 'EFI PART') return []
  const entriesAt = Number(head.readBigUInt64LE(sector + 72)) * sector
  const count = head.readUInt32LE(sector + 80)
  const size = head.readUInt32LE(sector + 84)
  if (size < 128 || count > 1024) return []
  const partitions: Partition[] = []
  for (let i = 0; i < count; i++) {
    const entry = entriesAt + i * size
    if (entry + 128 > head.length) break
    // An all-zero type GUID marks an unused entry.
    if (head.subarray(entry, entry + 16).every((byte) => byte === 0)) continue
    partitions.push({
      name: head.toString('utf16le', entry + 56, entry + 128).replace(/\0.*$/s, ''),
      start: Number(head.readBigUInt64LE(entry + 32)) * sector,
    })
  }
  return partitions
}

/** The four primary partitions of an MBR (a GPT's protective entry included, harmlessly). */
function mbrPartitions(head: Buffer): Partition[] {
  if (head.length < sector || head.readUInt16LE(510) !== 0xaa55) return []
  const partitions: Partition[] = []
  for (let i = 0; i < 4; i++) {
    const entry = 446 + i * 16
    if (head[entry + 4] === 0) continue
    partitions.push({ name: '', start: head.readUInt32LE(entry + 8) * sector })
  }
  return partitions
}

/** The volume label of an ext2/3/4 file system starting at `start`, if its superblock is in the head. */
function ext4Label(head: Buffer, start: number): string | undefined {
  const superblock = start + 1024
  if (superblock + 0x88 > head.length || head.readUInt16LE(superblock + 0x38) !== 0xef53) return undefined
  return head.toString('latin1', superblock + 0x78, superblock + 0x88).replace(/\0.*$/s, '')
}
