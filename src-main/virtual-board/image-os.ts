// Which OS an image written to a virtual node holds, read from its first bytes as a real boot
// would find it: Talos disks carry a GPT whose partitions are named META, STATE and EPHEMERAL
// (talos.md); Armbian images label their file systems armbi_boot / armbi_root, the root file system
// starting 16 MiB in on Rockchip boards. The file name is only a last resort.
import type { BootLogKind } from './boot-logs.ts'

/** How much of the start of an image the transfer keeps for recognition (past Armbian's root superblock). */
export const imageHeadBytes = 20 * 1024 * 1024

const talosPartitionNames = new Set(['META', 'STATE', 'EPHEMERAL'])

/** The OS in the image's first bytes, or undefined when neither marker is there. */
export function osFromImageHead(head: Buffer): BootLogKind | undefined {
  const names = gptPartitionNames(head)
  if (names.some((name) => talosPartitionNames.has(name))) return 'talos'
  if (head.includes('armbi_root') || head.includes('armbi_boot')) return 'armbian'
  return undefined
}

/** The partition names of a GPT at 512- or 4096-byte sectors; empty without one. */
export function gptPartitionNames(head: Buffer): string[] {
  for (const sector of [512, 4096]) {
    if (head.length < sector + 92 || head.toString('latin1', sector, sector + 8) !== 'EFI PART') continue
    const entriesAt = Number(head.readBigUInt64LE(sector + 72)) * sector
    const count = head.readUInt32LE(sector + 80)
    const size = head.readUInt32LE(sector + 84)
    if (size < 128 || count > 1024) return []
    const names: string[] = []
    for (let i = 0; i < count; i++) {
      const entry = entriesAt + i * size
      if (entry + 128 > head.length) break
      // An all-zero type GUID marks an unused entry.
      if (head.subarray(entry, entry + 16).every((byte) => byte === 0)) continue
      const name = head.toString('utf16le', entry + 56, entry + 128).replace(/\0.*$/s, '')
      if (name) names.push(name)
    }
    return names
  }
  return []
}
