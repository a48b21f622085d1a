// Reading and writing the profile files the user names on the command line. Only a regular file of
// at most profileYamlMaxBytes is read: a device (/dev/zero), a FIFO or a directory is refused by
// what fstat says of the opened descriptor, which is opened non-blocking so a FIFO without a writer
// (or, when writing, without a reader) cannot hang the open.
import { closeSync, constants, fstatSync, openSync, readSync, writeSync, type Stats } from 'node:fs'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { profileYamlMaxBytes } from '../../src-shared/contract/profiles.ts'

// Undefined on Windows, which has no FIFOs to hang on.
const nonBlocking = constants.O_NONBLOCK ?? 0

const hint = 'Name a YAML file, e.g. one written by: clusterdeck profile export NAME -o lab.yaml'

export function readProfileFile(path: string): string {
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | nonBlocking)
  } catch (error) {
    throw new AppError('invalid_input', `Cannot read ${path}: ${openProblem(error)}.`, hint)
  }
  try {
    const stats = fstatSync(fd)
    if (!stats.isFile()) {
      throw new AppError('invalid_input', `${path} is ${kindOf(stats)}, not a profile file.`, hint)
    }
    if (stats.size > profileYamlMaxBytes) {
      throw tooLarge(path, stats.size)
    }
    // Read one byte past the limit: a file that grows after fstat is still refused, never read on.
    const buffer = Buffer.alloc(profileYamlMaxBytes + 1)
    let length = 0
    for (let read = -1; read !== 0 && length < buffer.length; length += read) {
      read = readSync(fd, buffer, length, buffer.length - length, null)
    }
    if (length > profileYamlMaxBytes) throw tooLarge(path, length)
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, length))
    } catch {
      throw new AppError('invalid_input', `${path} is not UTF-8 text.`, hint)
    }
  } finally {
    closeSync(fd)
  }
}

/** Writes an exported profile; a directory or a FIFO nobody reads is refused, not waited on. */
export function writeProfileFile(path: string, text: string): void {
  let fd: number
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | nonBlocking, 0o644)
  } catch (error) {
    const problem =
      (error as NodeJS.ErrnoException).code === 'ENXIO'
        ? 'it is a named pipe (FIFO) that nothing reads'
        : openProblem(error)
    throw new AppError(
      'invalid_input',
      `Cannot write ${path}: ${problem}.`,
      'Name a file to write the profile to.',
    )
  }
  try {
    const bytes = Buffer.from(text)
    for (let written = 0; written < bytes.length;) {
      written += writeSync(fd, bytes, written, bytes.length - written)
    }
  } finally {
    closeSync(fd)
  }
}

function tooLarge(path: string, size: number): AppError {
  return new AppError(
    'invalid_input',
    `${path} is ${(size / 1024 / 1024).toFixed(1)} MiB; a profile file may be at most ${profileYamlMaxBytes / 1024 / 1024} MiB.`,
    hint,
  )
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory'
  if (stats.isFIFO()) return 'a named pipe (FIFO)'
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device'
  if (stats.isSocket()) return 'a socket'
  return 'not a regular file'
}

function openProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return 'there is no such file'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'EISDIR') return 'it is a directory'
  if (code === 'ENOTDIR') return 'a part of the path is not a directory'
  if (code === 'ENAMETOOLONG') return 'the path is too long'
  if (code === 'ELOOP') return 'too many symbolic links'
  return (error as Error).message
}
