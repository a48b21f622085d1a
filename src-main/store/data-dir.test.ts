import { describe, expect, it } from 'vitest'
import { resolveDataDir } from './data-dir.ts'

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
