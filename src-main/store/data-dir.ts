// One data directory for the app and the CLI, so both see the same boards and cache.
// CLUSTERDECK_HOME wins; otherwise the platform's per-user data folder.
import { homedir } from 'node:os'
import { join } from 'node:path'

export function resolveDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.CLUSTERDECK_HOME) return env.CLUSTERDECK_HOME
  const home = env.HOME ?? homedir()
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Clusterdeck')
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Clusterdeck')
  return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'clusterdeck')
}
