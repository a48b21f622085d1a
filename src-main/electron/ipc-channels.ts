// The only two IPC channels: requests go up through one, events come down through the other. The
// request names themselves are the contract's, validated in main.
export const invokeChannel = 'clusterdeck:invoke'
export const eventChannel = 'clusterdeck:event'

/** The renderer is only ever loaded from the app:// protocol; anything else is not ours. */
export const appScheme = 'app'
export const appOrigin = `${appScheme}://clusterdeck`

export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url)
    return parsed.protocol === `${appScheme}:` && parsed.host === 'clusterdeck'
  } catch {
    return false
  }
}
