// A flash streams its image from disk for minutes. If the file is rewritten, truncated or replaced
// meanwhile, the BMC writes (and verifies) a mix of old and new bytes, so the file is checked
// before and after: size, modification time and inode, and the bytes sent against the known hash.
import { stat } from 'node:fs/promises'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { formatBytes } from '../../src-shared/progress/progress.ts'

export interface FileIdentity {
  size: number
  mtimeMs: number
  ino: number
  dev: number
}

export async function fileIdentity(path: string): Promise<FileIdentity | null> {
  const info = await stat(path).catch(() => null)
  return info && { size: info.size, mtimeMs: info.mtimeMs, ino: info.ino, dev: info.dev }
}

/** What differs between two looks at the file, in words, or null when nothing does. */
export function fileChange(before: FileIdentity, after: FileIdentity | null): string | null {
  if (!after) return 'it was deleted or moved away'
  if (after.ino !== before.ino || after.dev !== before.dev) return 'it was replaced by another file'
  if (after.size !== before.size)
    return `its size changed from ${formatBytes(before.size)} to ${formatBytes(after.size)}`
  if (after.mtimeMs !== before.mtimeMs) return 'it was modified'
  return null
}

export function imageFileChanged(path: string, node: number, change: string): AppError {
  return new AppError(
    'invalid_input',
    `The image file ${path} changed while it was being flashed to node ${node}: ${change}. The node holds a mix of old and new data and is not verified.`,
    'Leave the file alone while a flash reads it (copy or download to another name), then flash again.',
  )
}

/** The bytes sent are not the ones the image was cached under: the cached file was altered. */
export function imageFileAltered(path: string, node: number, sent: string, expected: string): AppError {
  return new AppError(
    'checksum_mismatch',
    `The image file ${path} does not hold the bytes it was cached under: what was sent to node ${node} hashes to ${sent.slice(0, 12)}…, not ${expected.slice(0, 12)}…. Something changed the file; node ${node} is not verified.`,
    'Remove the image from the cache and import it again, then flash again.',
  )
}
