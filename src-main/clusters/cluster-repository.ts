// Cluster records in SQLite: one per profile, written as runs change what is deployed.
import { z } from 'zod'
import { clusterNodeSchema, type ClusterRecord } from '../../src-shared/clusters/cluster-schema.ts'
import type { Db } from '../store/database.ts'

interface ClusterRow {
  id: string
  profile_id: string | null
  profile_name: string
  distribution: 'talos' | 'k3s'
  versions: string
  api_endpoint: string | null
  ready_at: string | null
  nodes: string
  artifacts: string
  last_run_id: string | null
  created_at: string
  updated_at: string
  destroyed_at: string | null
}

export class ClusterRepository {
  private readonly db: Db

  constructor(db: Db) {
    this.db = db
  }

  list(): ClusterRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM clusters ORDER BY profile_name, created_at')
      .all() as ClusterRow[]
    return rows.map(toRecord)
  }

  /** By the cluster's id, or its profile's id or name (names are matched without regard to case). */
  find(ref: string): ClusterRecord | undefined {
    const row = this.db
      .prepare(
        `SELECT * FROM clusters WHERE id = ? OR profile_id = ? OR profile_name = ? COLLATE NOCASE
         ORDER BY id = ? DESC, destroyed_at IS NULL DESC, updated_at DESC LIMIT 1`,
      )
      .get(ref, ref, ref, ref) as ClusterRow | undefined
    return row && toRecord(row)
  }

  save(record: ClusterRecord): void {
    this.db
      .prepare(
        `INSERT INTO clusters (id, profile_id, profile_name, distribution, versions, api_endpoint, ready_at, nodes, artifacts,
           last_run_id, created_at, updated_at, destroyed_at)
         VALUES (@id, @profileId, @profileName, @distribution, @versions, @apiEndpoint, @readyAt, @nodes, @artifacts,
           @lastRunId, @createdAt, @updatedAt, @destroyedAt)
         ON CONFLICT (id) DO UPDATE SET profile_id = excluded.profile_id, profile_name = excluded.profile_name,
           distribution = excluded.distribution, versions = excluded.versions, api_endpoint = excluded.api_endpoint,
           ready_at = excluded.ready_at,
           nodes = excluded.nodes, artifacts = excluded.artifacts, last_run_id = excluded.last_run_id,
           updated_at = excluded.updated_at, destroyed_at = excluded.destroyed_at`,
      )
      .run({
        ...record,
        versions: JSON.stringify(record.versions),
        nodes: JSON.stringify(record.nodes),
        artifacts: JSON.stringify(record.artifacts),
      })
  }
}

function toRecord(row: ClusterRow): ClusterRecord {
  return {
    id: row.id,
    profileId: row.profile_id,
    profileName: row.profile_name,
    distribution: row.distribution,
    versions: JSON.parse(row.versions) as ClusterRecord['versions'],
    apiEndpoint: row.api_endpoint,
    readyAt: row.ready_at,
    // Parsed, so that records written before a field existed get its default.
    nodes: z.array(clusterNodeSchema).parse(JSON.parse(row.nodes)),
    artifacts: JSON.parse(row.artifacts) as ClusterRecord['artifacts'],
    lastRunId: row.last_run_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    destroyedAt: row.destroyed_at,
  }
}
