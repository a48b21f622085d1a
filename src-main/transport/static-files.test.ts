import { describe, expect, it } from 'vitest'
import { resolveStaticPath } from './static-files.ts'

describe('resolveStaticPath', () => {
  const root = '/srv/renderer'

  it('maps / to index.html and keeps paths inside the root', () => {
    expect(resolveStaticPath(root, '/')).toBe('/srv/renderer/index.html')
    expect(resolveStaticPath(root, '/assets/index.js?v=1')).toBe('/srv/renderer/assets/index.js')
  })

  it.each([
    '/../etc/passwd',
    '/assets/../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/..%2fsecret',
    '/a%00b',
    '/%E0%A4%A',
  ])('never leaves the root for %s', (path) => {
    const resolved = resolveStaticPath(root, path)
    expect(resolved === null || resolved.startsWith('/srv/renderer/')).toBe(true)
  })
})
