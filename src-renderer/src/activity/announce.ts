// Saying that long work ended: an in-app notification always (failures stay until dismissed), and
// a system notification too where the platform has one and the user allowed it. Never asks by
// itself; the navigation offers to.
import { notifications } from '@mantine/notifications'

export interface Announcement {
  title: string
  message: string
  failed: boolean
}

export function announce({ title, message, failed }: Announcement): void {
  notifications.show({
    title,
    message,
    color: failed ? 'red' : 'teal',
    autoClose: failed ? false : 10_000,
    withCloseButton: true,
  })
  if (systemNotificationsAllowed()) {
    try {
      new Notification(title, { body: message })
    } catch {
      // Some hosts (e.g. Android Chrome) only notify through a service worker; the in-app one is enough.
    }
  }
}

export function systemNotificationsAllowed(): boolean {
  return typeof Notification !== 'undefined' && Notification.permission === 'granted'
}

/** True when the user has not been asked yet, so offering is worthwhile. */
export function systemNotificationsAskable(): boolean {
  return typeof Notification !== 'undefined' && Notification.permission === 'default'
}
