// What kind of datastore file a snapshot is (docs/backups.md): an etcd snapshot as etcd's
// Maintenance.Snapshot streams it (the bbolt database followed by the sha256 of what precedes it,
// which a restore checks), or K3s's SQLite datastore (state.db, starting with SQLite's header).
// The restore steps check a file before it goes to a node, and the virtual nodes check what they
// are given the same way.
import { createHash } from 'node:crypto'

const trailerBytes = 32
const sqliteHeader = Buffer.from('SQLite format 3\0', 'latin1')

/** The file ends with the sha256 of everything before it, as an intact etcd snapshot does. */
export function etcdSnapshotIntact(snapshot: Uint8Array): boolean {
  if (snapshot.length <= trailerBytes) return false
  const bytes = Buffer.from(snapshot.buffer, snapshot.byteOffset, snapshot.byteLength)
  return createHash('sha256')
    .update(bytes.subarray(0, bytes.length - trailerBytes))
    .digest()
    .equals(bytes.subarray(bytes.length - trailerBytes))
}

/** The file starts with SQLite's header, as K3s's state.db does. */
export function isSqliteDatabase(file: Uint8Array): boolean {
  return (
    file.length >= sqliteHeader.length &&
    Buffer.from(file.buffer, file.byteOffset, sqliteHeader.length).equals(sqliteHeader)
  )
}

export type DatastoreKind = 'etcd' | 'sqlite'

/** Why the file cannot be restored as a datastore of `kind`, or null when it can. */
export function snapshotProblem(file: Uint8Array, kind: DatastoreKind): string | null {
  if (kind === 'sqlite') {
    if (isSqliteDatabase(file)) return null
    return etcdSnapshotIntact(file)
      ? 'is an etcd snapshot, and this cluster keeps its datastore in SQLite (a single server): restore the state.db copy its backup took'
      : 'is not a SQLite database (it lacks the "SQLite format 3" header)'
  }
  if (etcdSnapshotIntact(file)) return null
  return isSqliteDatabase(file)
    ? 'is a SQLite datastore, and this cluster runs embedded etcd (several servers): restore an etcd snapshot'
    : 'fails the etcd snapshot integrity check (its sha256 trailer does not match its contents): it is damaged or not an etcd snapshot'
}
