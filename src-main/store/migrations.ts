// Versioned schema changes, applied in order; PRAGMA user_version records how far a database got.
// Never edit a migration that has shipped: add a new one.
import type Database from 'better-sqlite3'

export interface Migration {
  readonly version: number
  readonly name: string
  up(db: Database.Database): void
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'boards',
    up(db) {
      db.exec(`
        CREATE TABLE boards (
          id          TEXT PRIMARY KEY,
          name        TEXT NOT NULL,
          address     TEXT NOT NULL,
          bmc_user    TEXT NOT NULL,
          created_at  TEXT NOT NULL,
          updated_at  TEXT NOT NULL
        );
        CREATE UNIQUE INDEX boards_name_unique ON boards (name COLLATE NOCASE);
      `)
    },
  },
]
