import { describe, expect, it } from 'vitest'
import { isAppUrl } from './ipc-channels.ts'

describe('isAppUrl', () => {
  it('accepts only the app:// origin of the renderer', () => {
    expect(isAppUrl('app://clusterdeck/index.html')).toBe(true)
    expect(isAppUrl('app://other/index.html')).toBe(false)
    expect(isAppUrl('file:///etc/passwd')).toBe(false)
    expect(isAppUrl('https://clusterdeck/')).toBe(false)
    expect(isAppUrl('not a url')).toBe(false)
  })
})
