import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises'
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { acceptedEncodings, resolveStaticPath, serveStatic } from './static-files.ts'

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

describe('acceptedEncodings', () => {
  it.each([
    ['gzip, deflate, br, zstd', ['br', 'gzip']],
    ['gzip', ['gzip']],
    ['br;q=0, gzip;q=0.5', ['gzip']],
    ['*', ['br', 'gzip']],
    ['*, br;q=0', ['gzip']],
    ['identity', []],
    [undefined, []],
  ] as const)('%s → %j', (header, expected) => {
    expect(acceptedEncodings(header)).toEqual(expected)
  })
})

describe('serveStatic', () => {
  const script = Buffer.from('console.log("clusterdeck");\n'.repeat(200))
  let dir: string
  let server: Server
  let port: number

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'static-files-'))
    await mkdir(join(dir, 'assets'))
    await writeFile(join(dir, 'index.html'), '<!doctype html><p>hi</p>')
    await writeFile(join(dir, 'assets', 'app.js'), script)
    await writeFile(join(dir, 'assets', 'app.js.br'), brotliCompressSync(script))
    await writeFile(join(dir, 'assets', 'app.js.gz'), gzipSync(script))
    server = createServer((req, res) => void serveStatic(dir, req, res))
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    port = (server.address() as AddressInfo).port
  })

  afterAll(async () => {
    await new Promise((done) => server.close(done))
    await rm(dir, { recursive: true, force: true })
  })

  function get(path: string, acceptEncoding?: string) {
    return new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((done, fail) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {},
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on('end', () => done({ headers: res.headers, body: Buffer.concat(chunks) }))
        },
      )
      req.on('error', fail)
      req.end()
    })
  }

  it('sends the brotli or gzip file to a browser that accepts it, the plain file otherwise', async () => {
    const br = await get('/assets/app.js', 'gzip, deflate, br')
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.headers.vary).toBe('accept-encoding')
    expect(Number(br.headers['content-length'])).toBe(br.body.length)
    expect(br.body.length).toBeLessThan(script.length / 10)
    expect(brotliDecompressSync(br.body)).toEqual(script)

    const gz = await get('/assets/app.js', 'gzip')
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(gz.body)).toEqual(script)

    const plain = await get('/assets/app.js')
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.body).toEqual(script)
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8')
  })

  it('lets the browser keep hashed assets but never index.html, and sends the plain file when no sibling is there', async () => {
    expect((await get('/assets/app.js', 'br')).headers['cache-control']).toContain('immutable')
    const index = await get('/', 'br, gzip')
    expect(index.headers['cache-control']).toBe('no-store')
    expect(index.headers['content-encoding']).toBeUndefined()
    expect(index.body.toString()).toBe('<!doctype html><p>hi</p>')
  })

  it('ignores a compressed file older than the file itself (a stale build)', async () => {
    const newer = Buffer.from('console.log("rebuilt");\n')
    await writeFile(join(dir, 'assets', 'app.js'), newer)
    const past = new Date(Date.now() - 60_000)
    await utimes(join(dir, 'assets', 'app.js.br'), past, past)
    await utimes(join(dir, 'assets', 'app.js.gz'), past, past)
    const response = await get('/assets/app.js', 'br, gzip')
    expect(response.headers['content-encoding']).toBeUndefined()
    expect(response.body).toEqual(newer)
  })
})
