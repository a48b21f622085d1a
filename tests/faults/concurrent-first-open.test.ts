// Several processes opening a new data directory at the same moment (the app and the CLI on first
// run, or scripts run in parallel): each migration is applied once, and every process opens the
// database. Before, two of them could both see schema 0 and fail with "table boards already exists".
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, schemaVersion } from '../../src-main/store/database.ts'
import { migrations } from '../../src-main/store/migrations.ts'
import { makeTempDir } from '../support/temp-dir.ts'

const database = pathToFileURL(join(import.meta.dirname, '..', '..', 'src-main', 'store', 'database.ts')).href
let dir: ReturnType<typeof makeTempDir>

beforeAll(() => (dir = makeTempDir()))
afterAll(() => dir.remove())

function openInProcess(dataDir: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `(await import(${JSON.stringify(database)})).openDatabase(process.argv[1]).close()`,
        dataDir,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    )
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stderr }))
  })
}

describe('first open of a data directory', () => {
  it('migrates once when several processes open it at the same time', async () => {
    for (let round = 0; round < 2; round++) {
      const dataDir = join(dir.path, `round-${round}`)
      const runs = await Promise.all(Array.from({ length: 4 }, () => openInProcess(dataDir)))
      for (const run of runs) expect(run, run.stderr).toMatchObject({ code: 0 })
      const db = openDatabase(dataDir)
      expect(schemaVersion(db)).toBe(migrations.at(-1)!.version)
      db.close()
    }
  })
})
