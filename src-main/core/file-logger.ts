// Appends JSON lines to logs/clusterdeck.log in the data directory. Callers pass only what is safe
// to keep: request names and error messages, never request inputs (they can carry passwords).
import { appendFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'

export interface Logger {
  error(event: string, fields: Record<string, string | number | boolean | undefined>): void
}

export function createFileLogger(dataDir: string): Logger {
  const dir = join(dataDir, 'logs')
  return {
    error(event, fields) {
      mkdirSync(dir, { recursive: true })
      const line = JSON.stringify({ time: new Date().toISOString(), level: 'error', event, ...fields })
      appendFileSync(join(dir, 'clusterdeck.log'), `${line}\n`)
    },
  }
}
