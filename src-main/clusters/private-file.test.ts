import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { makeTempDir } from '../../tests/support/temp-dir.ts'
import { readTextFile, writePrivateFile } from './private-file.ts'

let dir: ReturnType<typeof makeTempDir>
beforeEach(() => (dir = makeTempDir()))
afterEach(() => dir.remove())

describe('writePrivateFile', () => {
  it('creates the folders and a file of mode 0600, and leaves no temporary file', () => {
    const path = join(dir.path, 'a', 'b', 'config')
    writePrivateFile(path, 'one\n', { replace: false })
    expect(readFileSync(path, 'utf8')).toBe('one\n')
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(readdirSync(join(dir.path, 'a', 'b'))).toEqual(['config'])
  })

  it('refuses an existing file unless told to replace it, which makes it 0600', () => {
    const path = join(dir.path, 'config')
    writeFileSync(path, 'mine\n', { mode: 0o644 })
    expect(() => writePrivateFile(path, 'new\n', { replace: false })).toThrow(
      expect.objectContaining({
        code: 'conflict',
        message: `${path} exists already: it was left as it was.`,
      }),
    )
    expect(readFileSync(path, 'utf8')).toBe('mine\n')
    writePrivateFile(path, 'new\n', { replace: true })
    expect(readFileSync(path, 'utf8')).toBe('new\n')
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(readdirSync(dir.path)).toEqual(['config'])
  })

  it('names the file and the problem when it cannot be written', () => {
    writeFileSync(join(dir.path, 'plain'), '')
    const path = join(dir.path, 'plain', 'config')
    expect(() => writePrivateFile(path, 'x', { replace: true })).toThrow(
      expect.objectContaining({
        code: 'invalid_input',
        message: `Cannot write ${path}: a part of the path is not a folder.`,
      }),
    )
  })
})

describe('readTextFile', () => {
  it('reads a file, and gives null for none', () => {
    writeFileSync(join(dir.path, 'x'), 'text')
    expect(readTextFile(join(dir.path, 'x'))).toBe('text')
    expect(readTextFile(join(dir.path, 'missing'))).toBeNull()
    expect(() => readTextFile(dir.path)).toThrow(
      expect.objectContaining({ message: `Cannot read ${dir.path}: it is a folder.` }),
    )
  })
})
