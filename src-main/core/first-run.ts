// At launch (the app and the loopback host, not each CLI command) the virtual board comes up: the
// saved one, or a new one when no board is saved, so a first look shows every screen at work.
// Failing that the app still opens, and the boards page can start it later.
import type { AppCore } from './app-core.ts'

/** Starts the virtual board if it should run; resolves what went wrong, if anything. */
export async function startVirtualBoardOnLaunch(core: AppCore): Promise<string | undefined> {
  try {
    await core.virtualBoard.startOnLaunch()
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}
