// Opens the SQLite file of a data directory: WAL, foreign keys, a busy timeout for the app and the
// CLI sharing one file, and every pending migration applied in one transaction each.
import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { migrations as allMigrations, type Migration } from './migrations.ts'

export type Db = Database.Database

export const databaseFileName = 'clusterdeck.db'

export function openDatabase(dataDir: string, migrations: readonly Migration[] = allMigrations): Db {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const db = new Database(join(dataDir, databaseFileName))
  // First, so that switching to WAL waits for another process opening the same file. Generous:
  // a fresh data directory's migrations, run by another process on a loaded machine, took over 5 s.
  db.pragma('busy_timeout = 15000')
  db.pragma('journal_mode = WAL')
  db.pragma('foreign_keys = ON')
  migrate(db, migrations)
  return db
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number
}

export function migrate(db: Db, migrations: readonly Migration[] = allMigrations): void {
  const current = schemaVersion(db)
  const newest = migrations.at(-1)?.version ?? 0
  if (current > newest) {
    throw new AppError(
      'internal',
      `The database was written by a newer Clusterdeck (schema ${current}; this version knows up to ${newest}).`,
      'Update Clusterdeck, or point CLUSTERDECK_HOME at another data directory.',
    )
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue
    // IMMEDIATE takes the write lock before the version is read again: of several processes
    // opening a new data directory at once, one applies the migration and the others skip it.
    db.transaction(() => {
      if (schemaVersion(db) >= migration.version) return
      migration.up(db)
      db.pragma(`user_version = ${migration.version}`)
    }).immediate()
  }
}
