// Profiles in SQLite: one row per profile, the document as JSON (it holds no secrets).
import type { ClusterProfile, SavedProfile } from '../../src-shared/profiles/profile-schema.ts'
import { clusterProfileSchema } from '../../src-shared/profiles/profile-schema.ts'
import type { Db } from '../store/database.ts'

interface ProfileRow {
  id: string
  name: string
  distribution: 'talos' | 'k3s'
  document: string
  created_at: string
  updated_at: string
}

function fromRow(row: ProfileRow): SavedProfile {
  return {
    id: row.id,
    name: row.name,
    distribution: row.distribution,
    // Parsed again on the way out: a document written by an older version gets today's defaults.
    profile: clusterProfileSchema.parse(JSON.parse(row.document)),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

export class ProfileRepository {
  private readonly db: Db

  constructor(db: Db) {
    this.db = db
  }

  list(): SavedProfile[] {
    return (this.db.prepare('SELECT * FROM profiles ORDER BY name').all() as ProfileRow[]).map(fromRow)
  }

  find(ref: string): SavedProfile | undefined {
    const row = this.db.prepare('SELECT * FROM profiles WHERE id = ? OR name = ?').get(ref, ref) as
      ProfileRow | undefined
    return row && fromRow(row)
  }

  /** Inserts or replaces the profile with this name; returns its row. */
  upsert(id: string, profile: ClusterProfile, timestamp: string): SavedProfile {
    this.db
      .prepare(
        `INSERT INTO profiles (id, name, distribution, document, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET distribution = excluded.distribution, document = excluded.document,
           updated_at = excluded.updated_at`,
      )
      .run(id, profile.name, profile.distribution, JSON.stringify(profile), timestamp, timestamp)
    return this.find(profile.name)!
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM profiles WHERE id = ?').run(id)
  }
}
