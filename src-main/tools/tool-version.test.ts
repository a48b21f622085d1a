import { describe, expect, it } from 'vitest'
import { parseToolVersion } from './tool-version.ts'

describe('parseToolVersion', () => {
  it('reads helm’s template output', () => {
    expect(parseToolVersion('helm', 'v4.0.4')).toBe('v4.0.4')
    expect(parseToolVersion('helm', 'v4.1.0-rc.1\n')).toBe('v4.1.0-rc.1')
    expect(parseToolVersion('helm', '<no value>')).toBeNull()
  })

  it('reads the client tag of talosctl in its long and short forms, never the server’s', () => {
    const long =
      'Client:\n\tTag:         v1.13.7\n\tSHA:         abc\n\tGo version:  go1.25\nServer:\n\tTag: v1.12.0\n'
    expect(parseToolVersion('talosctl', long)).toBe('v1.13.7')
    expect(parseToolVersion('talosctl', 'Client:\n\tTalos v1.12.7\n')).toBe('v1.12.7')
    expect(parseToolVersion('talosctl', 'Client:\n\tTag:         none\n')).toBeNull()
    expect(parseToolVersion('talosctl', 'Server:\n\tTag: v1.13.7\n')).toBeNull()
  })
})
