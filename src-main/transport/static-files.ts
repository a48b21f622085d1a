// Serves the built renderer from one folder: no path may escape it, and every page carries the
// same Content-Security-Policy the Electron shell uses. Text files go out compressed when the
// browser accepts it, from the .br and .gz files the build writes next to them (electron.vite.config.ts);
// the hashed files under /assets never change, so the browser may keep them.
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { Stats } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'
import { contentSecurityPolicy } from './content-security-policy.ts'

const mimeTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
}

/** Maps a URL path to a file under root, or null when it would leave root. */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '/')
  } catch {
    return null
  }
  if (decoded.includes('\0')) return null
  const relative = normalize(decoded === '/' ? '/index.html' : decoded).replace(/^([/\\])+/, '')
  const full = join(root, relative)
  return full === root || full.startsWith(root.endsWith(sep) ? root : root + sep) ? full : null
}

const encodings = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const

/** The encodings an Accept-Encoding header allows (q above 0), best first; `identity` is implied. */
export function acceptedEncodings(header: string | undefined): Array<'br' | 'gzip'> {
  const accepted = new Map<string, number>()
  for (const part of (header ?? '').split(',')) {
    const [token = '', ...params] = part.trim().toLowerCase().split(';')
    const q = params.map((param) => /^\s*q=([\d.]+)\s*$/.exec(param)?.[1]).find(Boolean)
    accepted.set(token, q === undefined ? 1 : Number(q))
  }
  const weight = (name: string) => accepted.get(name) ?? accepted.get('*') ?? 0
  return encodings.map((encoding) => encoding.name).filter((name) => weight(name) > 0)
}

/** A precompressed sibling of the file, if the build wrote one that is at least as new. */
async function compressedSibling(path: string, original: Stats, header: string | undefined) {
  for (const name of acceptedEncodings(header)) {
    const suffix = encodings.find((encoding) => encoding.name === name)!.suffix
    const sibling = await stat(path + suffix).catch(() => null)
    if (sibling?.isFile() && sibling.mtimeMs >= original.mtimeMs)
      return { name, path: path + suffix, size: sibling.size }
  }
  return null
}

export async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = resolveStaticPath(root, req.url ?? '/')
  const file = path && (await stat(path).catch(() => null))
  if (!path || !file || !file.isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found')
    return
  }
  const compressed = await compressedSibling(path, file, req.headers['accept-encoding'])
  // Vite names every file under assets/ by its content hash; index.html is the one that changes.
  const immutable = path.startsWith(join(root, 'assets') + sep)
  res.writeHead(200, {
    'content-type': mimeTypes[extname(path)] ?? 'application/octet-stream',
    'content-length': compressed?.size ?? file.size,
    ...(compressed ? { 'content-encoding': compressed.name } : {}),
    vary: 'accept-encoding',
    'content-security-policy': contentSecurityPolicy({ allowWebSocket: true }),
    'x-content-type-options': 'nosniff',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-store',
  })
  createReadStream(compressed?.path ?? path).pipe(res)
}
