import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { makeTempDir } from '../../tests/support/temp-dir.ts'
import {
  applyRetention,
  describeSnapshot,
  listBackups,
  newSnapshotPath,
  removeBackups,
} from './backup-store.ts'

let dir: ReturnType<typeof makeTempDir>
beforeEach(() => (dir = makeTempDir()))
afterEach(() => dir.remove())

async function snapshot(at: string, body: string) {
  const path = await newSnapshotPath(dir.path, 'c-1', new Date(at))
  await writeFile(path, body)
  return describeSnapshot(path, {
    takenAt: at,
    node: 'turing-cp1',
    distribution: 'talos',
    version: 'v1.12.0',
    runId: 'r',
  })
}

describe('the backups folder', () => {
  it('lists described snapshots newest first, with size and sha256', async () => {
    await snapshot('2026-12-01T10:00:00.000Z', 'one')
    const second = await snapshot('2026-12-02T10:00:00.000Z', 'two!')
    expect(second).toMatchObject({
      sizeBytes: 4,
      sha256: createHash('sha256').update('two!').digest('hex'),
    })
    const listed = await listBackups(dir.path, 'c-1')
    expect(listed.map((b) => b.takenAt)).toEqual(['2026-12-02T10:00:00.000Z', '2026-12-01T10:00:00.000Z'])
    expect(listed[0]!.file).toMatch(/clusters\/c-1\/backups\/2026-12-02T10-00-00-000Z-etcd\.snapshot$/)
  })

  it('keeps the newest N, deleting older snapshots with their descriptions', async () => {
    const oldest = await snapshot('2026-12-01T10:00:00.000Z', 'a')
    await snapshot('2026-12-02T10:00:00.000Z', 'b')
    await snapshot('2026-12-03T10:00:00.000Z', 'c')
    expect(await applyRetention(dir.path, 'c-1', 2)).toEqual([oldest.file])
    expect(existsSync(oldest.file)).toBe(false)
    expect(existsSync(oldest.file.replace(/\.snapshot$/, '.json'))).toBe(false)
    expect(await listBackups(dir.path, 'c-1')).toHaveLength(2)
    await removeBackups(dir.path, 'c-1')
    expect(await listBackups(dir.path, 'c-1')).toEqual([])
  })
})
