// Test disk images: a deterministic mix of pseudo-random and zero blocks, so compressors behave
// as on real images, and their packed variants made by the real xz, gzip and zstd tools.
import { createHash } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'

export function imageBytes(sizeBytes: number, seed = 1): Buffer {
  const bytes = Buffer.alloc(sizeBytes)
  let state = seed >>> 0 || 1
  for (let offset = 0; offset + 4 <= sizeBytes; offset += 4) {
    // Every other 64 KiB block stays zero, as unused space on a real image does.
    if ((offset >> 16) % 2 === 1) continue
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    bytes.writeUInt32LE(state >>> 0, offset)
  }
  return bytes
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Writes the raw image and returns its path; pack() makes a compressed copy with a real tool. */
export function writeImage(path: string, bytes: Buffer): string {
  writeFileSync(path, bytes)
  return path
}

export function pack(rawPath: string, format: 'xz' | 'gzip' | 'zstd' | 'zip'): string {
  switch (format) {
    case 'xz':
      execFileSync('xz', ['-k', '-f', '-T1', '-3', rawPath])
      return `${rawPath}.xz`
    case 'gzip':
      execFileSync('gzip', ['-k', '-f', rawPath])
      return `${rawPath}.gz`
    case 'zstd':
      execFileSync('zstd', ['-q', '-f', rawPath, '-o', `${rawPath}.zst`])
      return `${rawPath}.zst`
    case 'zip':
      execFileSync('python3', ['-m', 'zipfile', '-c', `${rawPath}.zip`, rawPath])
      return `${rawPath}.zip`
  }
}

/** The head of a Talos disk: a GPT naming Talos's partitions, which is how a virtual node knows it boots Talos. */
export function talosDiskImage(): Buffer {
  const disk = Buffer.alloc(256 * 1024)
  disk.write('EFI PART', 512, 'latin1')
  disk.writeBigUInt64LE(2n, 512 + 72)
  disk.writeUInt32LE(128, 512 + 80)
  disk.writeUInt32LE(128, 512 + 84)
  for (const [i, name] of ['EFI', 'BIOS', 'BOOT', 'META', 'STATE', 'EPHEMERAL'].entries()) {
    disk.fill(0x5a, 1024 + i * 128, 1024 + i * 128 + 16)
    disk.write(name, 1024 + i * 128 + 56, 'utf16le')
  }
  return disk
}

/** The head of an Armbian disk: one Linux partition 16 MiB in, holding ext4 labelled armbi_root. */
export function armbianDiskImage(): Buffer {
  const disk = Buffer.alloc(17 * 1024 * 1024)
  const start = 16 * 1024 * 1024
  disk[446 + 4] = 0x83
  disk.writeUInt32LE(start / 512, 446 + 8)
  disk.writeUInt16LE(0xaa55, 510)
  disk.writeUInt16LE(0xef53, start + 1024 + 0x38)
  disk.write('armbi_root', start + 1024 + 0x78, 'latin1')
  return disk
}
