// Every flash, however it ended, is kept per board and node — including one whose process died
// before it could say: a flash in progress is written down when it starts, with its process and
// the BMC's transfer handle, and turned into an "interrupted" row by the next process that finds
// its owner gone.
import { hostname } from 'node:os'
import type { NodeNumber } from '../../src-shared/bmc/node-number.ts'
import type { FlashJob, FlashRecord } from '../../src-shared/flash/flash-schemas.ts'
import { processExists } from '../core/process-alive.ts'
import type { Db } from '../store/database.ts'

interface FlashRow {
  id: string
  board_id: string
  node: number
  image_sha256: string | null
  image_name: string
  image_size: number
  outcome: 'done' | 'failed' | 'cancelled' | 'interrupted'
  verified: number
  failed_phase: string | null
  message: string | null
  started_at: string
  finished_at: string
}

interface AttemptRow {
  id: string
  board_id: string
  node: number
  image_sha256: string | null
  image_name: string
  image_size: number
  phase: string
  bmc_handle: number | null
  owner_pid: number
  started_at: string
}

export class FlashHistory {
  private readonly db: Db

  constructor(db: Db) {
    this.db = db
  }

  /** A flash has started writing in this process. */
  begin(job: FlashJob): void {
    this.db
      .prepare(
        `INSERT INTO flash_attempts (id, board_id, node, image_sha256, image_name, image_size, phase, owner_host,
           owner_pid, started_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        job.id,
        job.boardId,
        job.node,
        job.imageSha256,
        job.imageName,
        job.imageSizeBytes ?? 0,
        job.phase,
        hostname(),
        process.pid,
        job.startedAt ?? job.queuedAt,
      )
  }

  /** The phase a flash in progress reached, or the BMC transfer handle it got. */
  progress(jobId: string, change: { phase?: string; handle?: number }): void {
    if (change.phase !== undefined)
      this.db.prepare('UPDATE flash_attempts SET phase = ? WHERE id = ?').run(change.phase, jobId)
    if (change.handle !== undefined)
      this.db.prepare('UPDATE flash_attempts SET bmc_handle = ? WHERE id = ?').run(change.handle, jobId)
  }

  record(job: FlashJob): void {
    if (job.phase !== 'done' && job.phase !== 'failed' && job.phase !== 'cancelled') return
    this.db.transaction(() => {
      const attempt = this.db.prepare('SELECT bmc_handle FROM flash_attempts WHERE id = ?').get(job.id) as
        { bmc_handle: number | null } | undefined
      this.db
        .prepare(
          `INSERT INTO flash_history (id, board_id, node, image_sha256, image_name, image_size, outcome, verified,
             failed_phase, message, started_at, finished_at, bmc_handle)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
          attempt?.bmc_handle ?? null,
        )
      this.db.prepare('DELETE FROM flash_attempts WHERE id = ?').run(job.id)
    })()
  }

  /**
   * Records every flash whose process on this computer is gone as interrupted, and returns how
   * many there were. Flashes of live processes (the app while the CLI runs, say) are left alone.
   */
  recoverInterrupted(isAlive: (pid: number) => boolean = processExists): number {
    const attempts = this.db
      .prepare('SELECT * FROM flash_attempts WHERE owner_host = ?')
      .all(hostname()) as AttemptRow[]
    const orphans = attempts.filter((attempt) => !isAlive(attempt.owner_pid))
    const now = new Date().toISOString()
    this.db.transaction(() => {
      for (const attempt of orphans) {
        this.db
          .prepare(
            `INSERT INTO flash_history (id, board_id, node, image_sha256, image_name, image_size, outcome, verified,
               failed_phase, message, started_at, finished_at, bmc_handle)
             VALUES (?, ?, ?, ?, ?, ?, 'interrupted', 0, ?, ?, ?, ?, ?)`,
          )
          .run(
            attempt.id,
            attempt.board_id,
            attempt.node,
            attempt.image_sha256,
            attempt.image_name,
            attempt.image_size,
            attempt.phase,
            `The Clusterdeck process (pid ${attempt.owner_pid}) running this flash ended during ${attempt.phase}: killed, crashed or the computer stopped. Node ${attempt.node} is not verified and may be partly written; flash it again.`,
            attempt.started_at,
            now,
            attempt.bmc_handle,
          )
        this.db.prepare('DELETE FROM flash_attempts WHERE id = ?').run(attempt.id)
      }
    })()
    return orphans.length
  }

  /** Whether a transfer on the BMC is one an interrupted flash of this board left behind. */
  isLeftoverTransfer(boardId: string, handle: number): boolean {
    return (
      this.db
        .prepare(
          "SELECT 1 FROM flash_history WHERE board_id = ? AND bmc_handle = ? AND outcome = 'interrupted' LIMIT 1",
        )
        .get(boardId, handle) !== undefined
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
