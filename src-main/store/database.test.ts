import Database from 'better-sqlite3'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { makeTempDir } from '../../tests/support/temp-dir.ts'
import { databaseFileName, migrate, openDatabase, schemaVersion, type Db } from './database.ts'
import { migrations } from './migrations.ts'

const dirs: Array<{ remove(): void }> = []
afterEach(() => dirs.splice(0).forEach((dir) => dir.remove()))

function tempDir(): string {
  const dir = makeTempDir()
  dirs.push(dir)
  return dir.path
}

function schemaOf(db: Db): unknown[] {
  return db
    .prepare(
      "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all()
}

describe('database', () => {
  it('creates the file in WAL mode at the newest schema version', () => {
    const dir = tempDir()
    const db = openDatabase(dir)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(schemaVersion(db)).toBe(migrations.at(-1)!.version)
    db.close()
  })

  it('numbers migrations 1, 2, 3… without gaps', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1))
  })

  // Every earlier version a user may still have on disk must upgrade to the same schema a new
  // install gets, keeping its rows.
  it.each(migrations.map((m) => m.version - 1))(
    'upgrades a database at version %i to the newest schema',
    (start) => {
      const fresh = openDatabase(tempDir())
      const expected = schemaOf(fresh)
      fresh.close()

      const dir = tempDir()
      const old = new Database(join(dir, databaseFileName))
      migrate(old, migrations.slice(0, start))
      expect(schemaVersion(old)).toBe(start)
      if (start >= 1) {
        old
          .prepare(
            'INSERT INTO boards (id, name, address, bmc_user, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
          )
          .run('b1', 'rack-1', 'https://10.0.0.5', 'root', 't', 't')
      }
      old.close()

      const upgraded = openDatabase(dir)
      expect(schemaOf(upgraded)).toEqual(expected)
      expect(schemaVersion(upgraded)).toBe(migrations.at(-1)!.version)
      if (start >= 1) expect(upgraded.prepare('SELECT name FROM boards').all()).toEqual([{ name: 'rack-1' }])
      upgraded.close()
    },
  )

  it('leaves a database untouched when a migration fails halfway', () => {
    const dir = tempDir()
    const broken = [
      ...migrations,
      {
        version: migrations.length + 1,
        name: 'broken',
        up(db: Db) {
          db.exec('CREATE TABLE half_done (x)')
          throw new Error('disk on fire')
        },
      },
    ]
    expect(() => openDatabase(dir, broken)).toThrow('disk on fire')
    const db = openDatabase(dir)
    expect(schemaVersion(db)).toBe(migrations.length)
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get()).toBeUndefined()
    db.close()
  })

  it('refuses a database written by a newer Clusterdeck', () => {
    const dir = tempDir()
    const db = openDatabase(dir)
    db.pragma(`user_version = ${migrations.length + 5}`)
    db.close()
    expect(() => openDatabase(dir)).toThrow(/written by a newer Clusterdeck/)
  })
})
