// Every flash, however it ended, is kept per board and node.
import type { NodeNumber } from '../../src-shared/bmc/node-number.ts'
import type { FlashJob, FlashRecord } from '../../src-shared/flash/flash-schemas.ts'
import type { Db } from '../store/database.ts'

interface FlashRow {
  id: string
  board_id: string
  node: number
  image_sha256: string | null
  image_name: string
  image_size: number
  outcome: 'done' | 'failed' | 'cancelled'
  verified: number
  failed_phase: string | null
  message: string | null
  started_at: string
  finished_at: string
}

export class FlashHistory {
  private readonly db: Db

  constructor(db: Db) {
    this.db = db
  }

  record(job: FlashJob): void {
    if (job.phase !== 'done' && job.phase !== 'failed' && job.phase !== 'cancelled') return
    this.db
      .prepare(
        `INSERT INTO flash_history (id, board_id, node, image_sha256, image_name, image_size, outcome, verified,
           failed_phase, message, started_at, finished_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        job.id,
        job.boardId,
        job.node,
        job.imageSha256,
        job.imageName,
        job.imageSizeBytes ?? 0,
        job.phase,
        job.verified ? 1 : 0,
        job.failedPhase,
        job.message,
        job.startedAt ?? job.queuedAt,
        job.finishedAt ?? job.queuedAt,
      )
  }

  list(boardId: string, node?: NodeNumber): FlashRecord[] {
    const rows = (
      node === undefined
        ? this.db
            .prepare('SELECT * FROM flash_history WHERE board_id = ? ORDER BY finished_at DESC')
            .all(boardId)
        : this.db
            .prepare('SELECT * FROM flash_history WHERE board_id = ? AND node = ? ORDER BY finished_at DESC')
            .all(boardId, node)
    ) as FlashRow[]
    return rows.map((row) => ({
      id: row.id,
      boardId: row.board_id,
      node: row.node as NodeNumber,
      imageSha256: row.image_sha256,
      imageName: row.image_name,
      imageSizeBytes: row.image_size,
      outcome: row.outcome,
      verified: row.verified === 1,
      failedPhase: row.failed_phase,
      message: row.message,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      durationSeconds: (Date.parse(row.finished_at) - Date.parse(row.started_at)) / 1000,
    }))
  }
}
