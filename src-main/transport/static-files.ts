// Serves the built renderer from one folder: no path may escape it, and every page carries the
// same Content-Security-Policy the Electron shell uses.
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
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

export async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = resolveStaticPath(root, req.url ?? '/')
  const file = path && (await stat(path).catch(() => null))
  if (!path || !file || !file.isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found')
    return
  }
  res.writeHead(200, {
    'content-type': mimeTypes[extname(path)] ?? 'application/octet-stream',
    'content-length': file.size,
    'content-security-policy': contentSecurityPolicy({ allowWebSocket: true }),
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  })
  createReadStream(path).pipe(res)
}
