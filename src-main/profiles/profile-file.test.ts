// Reading and writing profile files on the real file system: what is refused, and that it is
// refused before anything is read (a FIFO with no writer, a device that never ends).
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { profileYamlMaxBytes } from '../../src-shared/contract/profiles.ts'
import { makeTempDir } from '../../tests/support/temp-dir.ts'
import { readProfileFile, writeProfileFile } from './profile-file.ts'

let dir: ReturnType<typeof makeTempDir>
const path = (name: string) => join(dir.path, name)

beforeAll(() => {
  dir = makeTempDir()
  mkdirSync(path('folder'))
  if (process.platform !== 'win32') execFileSync('mkfifo', [path('pipe')])
})
afterAll(() => dir.remove())

const refusal = (read: () => unknown) => {
  try {
    read()
  } catch (error) {
    return { code: (error as { code?: string }).code, message: (error as Error).message }
  }
  throw new Error('not refused')
}

describe('readProfileFile', () => {
  it('reads a UTF-8 file up to the limit', () => {
    const text = `name: lab # ${'ü'.repeat(100)}\n`
    writeFileSync(path('lab.yaml'), text)
    expect(readProfileFile(path('lab.yaml'))).toBe(text)
    writeFileSync(path('exact.yaml'), 'x'.repeat(profileYamlMaxBytes))
    expect(readProfileFile(path('exact.yaml'))).toHaveLength(profileYamlMaxBytes)
  })

  it('refuses a file over 1 MiB, text that is not UTF-8 and a missing file', () => {
    writeFileSync(path('large.yaml'), 'x'.repeat(profileYamlMaxBytes + 1))
    expect(refusal(() => readProfileFile(path('large.yaml')))).toEqual({
      code: 'invalid_input',
      message: `${path('large.yaml')} is 1.0 MiB; a profile file may be at most 1 MiB.`,
    })
    writeFileSync(path('latin1.yaml'), Buffer.from('name: caf\xe9\n', 'latin1'))
    expect(refusal(() => readProfileFile(path('latin1.yaml')))).toMatchObject({
      message: `${path('latin1.yaml')} is not UTF-8 text.`,
    })
    expect(refusal(() => readProfileFile(path('missing.yaml')))).toMatchObject({
      code: 'invalid_input',
      message: `Cannot read ${path('missing.yaml')}: there is no such file.`,
    })
  })

  it('refuses a directory', () => {
    expect(refusal(() => readProfileFile(path('folder')))).toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/is a directory, not a profile file|it is a directory/),
    })
  })

  it.skipIf(process.platform === 'win32')('refuses a device and a FIFO without reading or waiting', () => {
    expect(refusal(() => readProfileFile('/dev/zero'))).toMatchObject({
      message: '/dev/zero is a device, not a profile file.',
    })
    expect(refusal(() => readProfileFile(path('pipe')))).toMatchObject({
      message: `${path('pipe')} is a named pipe (FIFO), not a profile file.`,
    })
  })
})

describe('writeProfileFile', () => {
  it('writes the file, replacing what was there', () => {
    writeFileSync(path('out.yaml'), 'old and longer than the new text')
    writeProfileFile(path('out.yaml'), 'name: lab\n')
    expect(readFileSync(path('out.yaml'), 'utf8')).toBe('name: lab\n')
  })

  it.skipIf(process.platform === 'win32')('refuses a directory and a FIFO nobody reads', () => {
    expect(refusal(() => writeProfileFile(path('folder'), 'x'))).toMatchObject({
      code: 'invalid_input',
      message: `Cannot write ${path('folder')}: it is a directory.`,
    })
    expect(refusal(() => writeProfileFile(path('pipe'), 'x'))).toMatchObject({
      code: 'invalid_input',
      message: `Cannot write ${path('pipe')}: it is a named pipe (FIFO) that nothing reads.`,
    })
  })
})
