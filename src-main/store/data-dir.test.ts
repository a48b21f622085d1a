import { mkdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { makeTempDir } from '../../tests/support/temp-dir.ts'
import { prepareDataDir, resolveDataDir } from './data-dir.ts'

describe('resolveDataDir', () => {
  it('prefers CLUSTERDECK_HOME everywhere', () => {
    expect(resolveDataDir({ CLUSTERDECK_HOME: '/data/cd', HOME: '/home/a' }, 'linux')).toBe('/data/cd')
    expect(resolveDataDir({ CLUSTERDECK_HOME: '/data/cd' }, 'darwin')).toBe('/data/cd')
  })

  it('follows each platform’s per-user data folder', () => {
    expect(resolveDataDir({ HOME: '/home/a' }, 'linux')).toBe('/home/a/.local/share/clusterdeck')
    expect(resolveDataDir({ HOME: '/home/a', XDG_DATA_HOME: '/xdg' }, 'linux')).toBe('/xdg/clusterdeck')
    expect(resolveDataDir({ HOME: '/Users/a' }, 'darwin')).toBe(
      '/Users/a/Library/Application Support/Clusterdeck',
    )
    expect(resolveDataDir({ HOME: 'C:/Users/a', APPDATA: 'C:/Users/a/AppData/Roaming' }, 'win32')).toMatch(
      /AppData.Roaming.Clusterdeck$/,
    )
  })
})

describe.skipIf(process.platform === 'win32')('prepareDataDir', () => {
  it('creates the directory private to its user', () => {
    const temp = makeTempDir()
    const dir = join(temp.path, 'a', 'clusterdeck')
    expect(prepareDataDir(dir)).toBeUndefined()
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    temp.remove()
  })

  it('tightens an existing directory that others can read', () => {
    const temp = makeTempDir()
    const dir = join(temp.path, 'home')
    mkdirSync(dir, { mode: 0o755 })
    expect(prepareDataDir(dir)).toBeUndefined()
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    temp.remove()
  })

  it('names the directory when it cannot be created', () => {
    const temp = makeTempDir()
    writeFileSync(join(temp.path, 'file'), '')
    expect(() => prepareDataDir(join(temp.path, 'file', 'home'))).toThrow(
      expect.objectContaining({
        code: 'invalid_input',
        message: `The data directory ${join(temp.path, 'file', 'home')} cannot be created (ENOTDIR).`,
      }),
    )
    temp.remove()
  })

  // /proc/self exists, is mode 555 and refuses chmod even to root: a directory that cannot be tightened.
  it.skipIf(process.platform !== 'linux')('says so when the directory cannot be made private', () => {
    expect(prepareDataDir('/proc/self')).toMatch(
      /^the data directory \/proc\/self is open to other users \(mode 555\) and could not be made private \(EPERM\); run: chmod 700 \/proc\/self$/,
    )
  })
})
