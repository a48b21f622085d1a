// A cluster's etcd snapshots in the data directory: clusters/<id>/backups/<stamp>-etcd.snapshot,
// each with a <stamp>-etcd.json beside it saying what it is (size, sha256, the node and the Talos
// version it came from). The newest `retention` are kept; older ones are deleted when a new one is
// saved. Snapshots are files of the user's only (0600 in a 0700 folder): etcd holds the cluster's
// Kubernetes Secrets.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { clusterBackupSchema, type ClusterBackup } from '../../src-shared/clusters/cluster-backups.ts'

export function backupsDirOf(dataDir: string, clusterId: string): string {
  return join(dataDir, 'clusters', clusterId, 'backups')
}

/** A new snapshot's path, named by the time it is taken (sortable, no colons). */
export async function newSnapshotPath(dataDir: string, clusterId: string, at = new Date()): Promise<string> {
  const dir = backupsDirOf(dataDir, clusterId)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  return join(dir, `${at.toISOString().replace(/[:.]/g, '-')}-etcd.snapshot`)
}

export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Describes a finished snapshot file (its size and sha256) in the JSON beside it. */
export async function describeSnapshot(
  path: string,
  about: Omit<ClusterBackup, 'file' | 'sizeBytes' | 'sha256'>,
): Promise<ClusterBackup> {
  const backup: ClusterBackup = {
    ...about,
    file: path,
    sizeBytes: (await stat(path)).size,
    sha256: await fileSha256(path),
  }
  await writeFile(path.replace(/\.snapshot$/, '.json'), JSON.stringify(backup, null, 2), { mode: 0o600 })
  return backup
}

/** The cluster's described snapshots, newest first; a snapshot without its JSON is ignored. */
export async function listBackups(dataDir: string, clusterId: string): Promise<ClusterBackup[]> {
  const dir = backupsDirOf(dataDir, clusterId)
  const names = await readdir(dir).catch(() => [] as string[])
  const backups: ClusterBackup[] = []
  for (const name of names.filter((n) => n.endsWith('-etcd.json'))) {
    const parsed = clusterBackupSchema.safeParse(
      JSON.parse(await readFile(join(dir, name), 'utf8').catch(() => 'null')),
    )
    if (parsed.success)
      backups.push({ ...parsed.data, file: join(dir, name.replace(/\.json$/, '.snapshot')) })
  }
  return backups.sort((a, b) => b.takenAt.localeCompare(a.takenAt))
}

/** Deletes all but the newest `retention` snapshots (with their JSON); returns the deleted files. */
export async function applyRetention(
  dataDir: string,
  clusterId: string,
  retention: number,
): Promise<string[]> {
  const old = (await listBackups(dataDir, clusterId)).slice(z.number().int().min(1).parse(retention))
  for (const backup of old) {
    await rm(backup.file, { force: true })
    await rm(backup.file.replace(/\.snapshot$/, '.json'), { force: true })
  }
  return old.map((backup) => backup.file)
}

export async function removeBackups(dataDir: string, clusterId: string): Promise<void> {
  await rm(backupsDirOf(dataDir, clusterId), { recursive: true, force: true })
}
