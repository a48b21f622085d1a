// Serves the built renderer under app://clusterdeck/ instead of file://, with the app's CSP.
import { net, protocol } from 'electron'
import { pathToFileURL } from 'node:url'
import { contentSecurityPolicy } from '../transport/content-security-policy.ts'
import { resolveStaticPath } from '../transport/static-files.ts'
import { appScheme } from './ipc-channels.ts'

/** Must run before app.ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ])
}

export function serveRenderer(rendererDir: string): void {
  protocol.handle(appScheme, async (request) => {
    const path = resolveStaticPath(rendererDir, new URL(request.url).pathname)
    if (!path) return new Response('Not found', { status: 404 })
    const response = await net.fetch(pathToFileURL(path).toString())
    const headers = new Headers(response.headers)
    headers.set('content-security-policy', contentSecurityPolicy({ allowWebSocket: false }))
    headers.set('x-content-type-options', 'nosniff')
    return new Response(response.body, { status: response.status, headers })
  })
}
