import { afterEach, describe, expect, it } from 'vitest'
import type { FlashJob } from '../../src-shared/flash/flash-schemas.ts'
import { makeTempDir } from '../../tests/support/temp-dir.ts'
import { openDatabase, type Db } from '../store/database.ts'
import { FlashHistory } from './flash-history.ts'

const dirs: Array<{ remove(): void }> = []
const dbs: Db[] = []
afterEach(() => {
  dbs.splice(0).forEach((db) => db.close())
  dirs.splice(0).forEach((dir) => dir.remove())
})

function history(): FlashHistory {
  const dir = makeTempDir()
  dirs.push(dir)
  const db = openDatabase(dir.path)
  dbs.push(db)
  db.prepare(
    "INSERT INTO boards (id, name, address, bmc_user, created_at, updated_at) VALUES ('b1', 'rack', 'https://127.0.0.1', 'root', '', '')",
  ).run()
  return new FlashHistory(db)
}

const job: FlashJob = {
  id: 'job-1',
  boardId: 'b1',
  boardName: 'rack',
  node: 2,
  imageName: 'disk.img',
  imageSizeBytes: 1024,
  imageSha256: null,
  verify: true,
  powerOnAfter: true,
  phase: 'writing',
  progress: null,
  message: null,
  failedPhase: null,
  verified: false,
  queuedAt: '2026-01-01T00:00:00.000Z',
  startedAt: '2026-01-01T00:00:01.000Z',
  finishedAt: null,
}

describe('flash history of interrupted flashes', () => {
  it('leaves a flash of a live process alone', () => {
    const h = history()
    h.begin(job)
    expect(h.recoverInterrupted(() => true)).toBe(0)
    expect(h.list('b1')).toEqual([])
  })

  it('records a flash whose process is gone as interrupted, in the phase it reached, with its handle', () => {
    const h = history()
    h.begin(job)
    h.progress(job.id, { handle: 42 })
    h.progress(job.id, { phase: 'verifying' })
    expect(h.recoverInterrupted(() => false)).toBe(1)
    expect(h.list('b1')).toEqual([
      expect.objectContaining({
        id: 'job-1',
        node: 2,
        outcome: 'interrupted',
        verified: false,
        failedPhase: 'verifying',
      }),
    ])
    expect(h.isLeftoverTransfer('b1', 42)).toBe(true)
    expect(h.isLeftoverTransfer('b1', 43)).toBe(false)
    // Recorded once: the attempt is gone.
    expect(h.recoverInterrupted(() => false)).toBe(0)
  })

  it('replaces the attempt by the outcome when the flash ends normally', () => {
    const h = history()
    h.begin(job)
    h.progress(job.id, { handle: 7 })
    h.record({ ...job, phase: 'done', verified: true, finishedAt: '2026-01-01T00:01:00.000Z' })
    expect(h.recoverInterrupted(() => false)).toBe(0)
    expect(h.list('b1')).toEqual([expect.objectContaining({ outcome: 'done', verified: true })])
    // Only an interrupted flash's transfer may be cancelled as a leftover.
    expect(h.isLeftoverTransfer('b1', 7)).toBe(false)
  })
})
