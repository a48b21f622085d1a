// Small app-wide settings in the `settings` table, one JSON value per key. Values are parsed with
// the caller's schema, so a damaged or outdated value falls back to the default instead of failing.
import type { z } from 'zod'
import type { Db } from './database.ts'

export class SettingsStore {
  private readonly db: Db

  constructor(db: Db) {
    this.db = db
  }

  get<S extends z.ZodType>(key: string, schema: S, fallback: z.output<S>): z.output<S> {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as
      { value: string } | undefined
    if (!row) return fallback
    try {
      const parsed = schema.safeParse(JSON.parse(row.value))
      return parsed.success ? parsed.data : fallback
    } catch {
      return fallback
    }
  }

  set(key: string, value: unknown): void {
    this.db
      .prepare(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      )
      .run(key, JSON.stringify(value))
  }
}
