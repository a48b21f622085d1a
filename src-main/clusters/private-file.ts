// Files that hold a cluster's credentials, written for the user: mode 0600 from the first byte,
// whole or not at all (a temporary file beside the target, then renamed or linked into place).
import { randomBytes } from 'node:crypto'
import {
  chmodSync,
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { AppError } from '../../src-shared/contract/app-error.ts'

/**
 * Writes `text` to `path` with mode 0600. With `replace: false` an existing file is refused (a
 * `conflict`) and left alone; otherwise it is replaced, or the file a symbolic link points to is.
 */
export function writePrivateFile(path: string, text: string, { replace }: { replace: boolean }): void {
  const target = replace ? resolveLink(path) : path
  const dir = dirname(target)
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
  } catch (error) {
    throw cannotWrite(path, error)
  }
  const temporary = join(dir, `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    const fd = openSync(temporary, 'wx', 0o600)
    try {
      writeSync(fd, text)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    // The umask cannot loosen 0600, but a file system that ignores the mode at open might.
    chmodSync(temporary, 0o600)
    // link() fails when the target exists: no window in which another file could be overwritten.
    if (replace) renameSync(temporary, target)
    else linkSync(temporary, target)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new AppError(
        'conflict',
        `${path} exists already: it was left as it was.`,
        'Name another file, or pass --force to overwrite it.',
      )
    throw cannotWrite(path, error)
  } finally {
    rmSync(temporary, { force: true })
  }
}

/** The file's text, or null when there is none. */
export function readTextFile(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new AppError(
      'invalid_input',
      `Cannot read ${path}: ${problemOf(error)}.`,
      `Fix or move ${path}, or merge into another file.`,
    )
  }
}

function resolveLink(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

function cannotWrite(path: string, error: unknown): AppError {
  return new AppError(
    'invalid_input',
    `Cannot write ${path}: ${problemOf(error)}.`,
    'Name a file in a folder you can write to.',
  )
}

function problemOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'EISDIR') return 'it is a folder'
  // mkdir says EEXIST when a part of the path is a file.
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'a part of the path is not a folder'
  return code ?? (error instanceof Error ? error.message : String(error))
}
