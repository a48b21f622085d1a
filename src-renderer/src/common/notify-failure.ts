import { notifications } from '@mantine/notifications'
import { errorText } from '../bridge/bridge.ts'

/** Tells the user an action failed, with the core's hint; stays until dismissed so it can be read. */
export function notifyFailure(error: unknown): void {
  const { message, hint } = errorText(error)
  notifications.show({ color: 'red', title: message, message: hint ?? '', autoClose: false })
}

export function notifyDone(message: string): void {
  notifications.show({ color: 'teal', message })
}
