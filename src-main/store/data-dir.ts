// One data directory for the app and the CLI, so both see the same boards and cache.
// CLUSTERDECK_HOME wins; otherwise the platform's per-user data folder.
import { chmodSync, mkdirSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { join } from 'node:path'

export function resolveDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.CLUSTERDECK_HOME) return env.CLUSTERDECK_HOME
  const home = env.HOME ?? homedir()
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Clusterdeck')
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Clusterdeck')
  return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'clusterdeck')
}

/**
 * Creates the data directory readable by its user only (0700), or makes an existing one so: it
 * lists the boards, their addresses and the run logs. Returns a notice when that cannot be done
 * (another owner, a read-only mount); Windows keeps per-user folders private through ACLs.
 */
export function prepareDataDir(dir: string, platform = process.platform): string | undefined {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
  } catch (error) {
    throw new AppError(
      'invalid_input',
      `The data directory ${dir} cannot be created (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
      'Point CLUSTERDECK_HOME at a directory you can write, or unset it.',
    )
  }
  if (platform === 'win32') return undefined
  const mode = statSync(dir).mode & 0o777
  if ((mode & 0o077) === 0) return undefined
  try {
    chmodSync(dir, 0o700)
    return undefined
  } catch (error) {
    return (
      `the data directory ${dir} is open to other users (mode ${mode.toString(8)}) and could not be made ` +
      `private (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); run: chmod 700 ${dir}`
    )
  }
}
