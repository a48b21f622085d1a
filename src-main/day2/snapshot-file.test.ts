import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { etcdSnapshotIntact, isSqliteDatabase, snapshotProblem } from './snapshot-file.ts'

const body = Buffer.from('bbolt pages of an etcd database')
const snapshot = Buffer.concat([body, createHash('sha256').update(body).digest()])
const sqlite = Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(84)])

describe('snapshot files', () => {
  it('knows an intact etcd snapshot by its sha256 trailer', () => {
    expect(etcdSnapshotIntact(snapshot)).toBe(true)
    const damaged = Buffer.from(snapshot)
    damaged[3] = damaged[3]! ^ 0xff
    expect(etcdSnapshotIntact(damaged)).toBe(false)
    expect(etcdSnapshotIntact(snapshot.subarray(0, 32))).toBe(false)
    // A view into a larger buffer is read at its own offset.
    expect(etcdSnapshotIntact(Buffer.concat([Buffer.from('xx'), snapshot]).subarray(2))).toBe(true)
  })

  it('knows a SQLite datastore by its header', () => {
    expect(isSqliteDatabase(sqlite)).toBe(true)
    expect(isSqliteDatabase(snapshot)).toBe(false)
    expect(isSqliteDatabase(Buffer.from('SQLite'))).toBe(false)
  })

  it('says why a file cannot be restored as the datastore a cluster has', () => {
    expect(snapshotProblem(snapshot, 'etcd')).toBeNull()
    expect(snapshotProblem(sqlite, 'sqlite')).toBeNull()
    expect(snapshotProblem(sqlite, 'etcd')).toMatch(
      /is a SQLite datastore, and this cluster runs embedded etcd/,
    )
    expect(snapshotProblem(snapshot, 'sqlite')).toMatch(
      /is an etcd snapshot, and this cluster keeps its datastore in SQLite/,
    )
    expect(snapshotProblem(Buffer.from('garbage'.repeat(10)), 'etcd')).toMatch(/integrity check/)
    expect(snapshotProblem(Buffer.from('garbage'), 'sqlite')).toMatch(/not a SQLite database/)
  })
})
