// One CSP for the renderer, wherever it is served from. Mantine writes inline style attributes, so
// style-src needs 'unsafe-inline'; scripts come only from the app itself.
export function contentSecurityPolicy({ allowWebSocket }: { allowWebSocket: boolean }): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    allowWebSocket ? "connect-src 'self' ws://127.0.0.1:*" : "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}
