// Electron's security checklist, applied once for every web contents the app creates: no
// navigation away from the app, no new windows, no permission grants but notifications, no webviews.
import { app, session } from 'electron'
import { isAppUrl } from './ipc-channels.ts'

export function applySecurityPolicy(): void {
  // Notifications only: the activity list tells when a flash or a deployment ends (docs/flashing.md).
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) =>
    callback(permission === 'notifications'),
  )
  session.defaultSession.setPermissionCheckHandler((_contents, permission) => permission === 'notifications')

  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault()
    })
    contents.on('will-redirect', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault()
    })
    contents.on('will-attach-webview', (event) => event.preventDefault())
    contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  })
}
