import { describe, expect, it } from 'vitest'
import { gptPartitionNames, osFromImageHead } from './image-os.ts'

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

describe('osFromImageHead', () => {
  it('recognises Talos by its GPT partition names, whatever the file is called', () => {
    const talos = gptDisk(['EFI', 'BIOS', 'BOOT', 'META', 'STATE', 'EPHEMERAL'])
    expect(gptPartitionNames(talos)).toEqual(['EFI', 'BIOS', 'BOOT', 'META', 'STATE', 'EPHEMERAL'])
    expect(osFromImageHead(talos)).toBe('talos')
  })

  it('recognises Armbian by its file system label past the boot loader', () => {
    const armbian = Buffer.alloc(17 * 1024 * 1024)
    // ext4 superblock 1024 bytes into the root partition at 16 MiB; the label is 0x78 into it.
    armbian.write('armbi_root', 16 * 1024 * 1024 + 1024 + 0x78, 'latin1')
    expect(osFromImageHead(armbian)).toBe('armbian')
  })

  it('knows nothing about other disks, empty ones and GPTs of other systems', () => {
    expect(osFromImageHead(Buffer.alloc(0))).toBeUndefined()
    expect(osFromImageHead(Buffer.alloc(1024 * 1024, 7))).toBeUndefined()
    expect(osFromImageHead(gptDisk(['root', 'home']))).toBeUndefined()
  })
})
