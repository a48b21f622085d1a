import { describe, expect, it } from 'vitest'
import { gptPartitions, osFromImageHead } from './image-os.ts'

/** A disk head with a GPT (512-byte sectors, entries at LBA 2) naming the given partitions. */
function gptDisk(names: string[], sizeBytes = 64 * 1024): Buffer {
  const disk = Buffer.alloc(sizeBytes)
  disk.write('EFI PART', 512, 'latin1')
  disk.writeBigUInt64LE(2n, 512 + 72)
  disk.writeUInt32LE(128, 512 + 80)
  disk.writeUInt32LE(128, 512 + 84)
  names.forEach((name, i) => {
    const entry = 1024 + i * 128
    disk.fill(0xab, entry, entry + 16) // a type GUID: the entry is in use
    disk.write(name, entry + 56, 'utf16le')
  })
  return disk
}

/** An MBR disk whose one partition, 16 MiB in, holds an ext4 file system with the given label. */
function armbianDisk(label: string): Buffer {
  const disk = Buffer.alloc(17 * 1024 * 1024)
  const start = 16 * 1024 * 1024
  disk[446 + 4] = 0x83 // Linux
  disk.writeUInt32LE(start / 512, 446 + 8)
  disk.writeUInt16LE(0xaa55, 510)
  disk.writeUInt16LE(0xef53, start + 1024 + 0x38) // ext4 magic
  disk.write(label, start + 1024 + 0x78, 'latin1')
  return disk
}

describe('osFromImageHead', () => {
  it('recognises Talos by its GPT partition names, whatever the file is called', () => {
    const talos = gptDisk(['EFI', 'BIOS', 'BOOT', 'META', 'STATE', 'EPHEMERAL'])
    expect(gptPartitions(talos).map((partition) => partition.name)).toEqual([
      'EFI',
      'BIOS',
      'BOOT',
      'META',
      'STATE',
      'EPHEMERAL',
    ])
    expect(osFromImageHead(talos)).toBe('talos')
  })

  it('recognises Armbian by its root file system label past the boot loader', () => {
    const armbian = armbianDisk('armbi_root')
    expect(osFromImageHead(armbian)).toBe('armbian')
    // The label alone, outside a partition's ext4 superblock, is no evidence.
    const stray = Buffer.alloc(1024 * 1024)
    stray.write('armbi_root', 4096, 'latin1')
    expect(osFromImageHead(stray)).toBeUndefined()
    expect(osFromImageHead(armbianDisk('rootfs'))).toBeUndefined()
  })

  it('knows nothing about other disks, empty ones and GPTs of other systems', () => {
    expect(osFromImageHead(Buffer.alloc(0))).toBeUndefined()
    expect(osFromImageHead(Buffer.alloc(1024 * 1024, 7))).toBeUndefined()
    expect(osFromImageHead(gptDisk(['root', 'home']))).toBeUndefined()
  })
})
