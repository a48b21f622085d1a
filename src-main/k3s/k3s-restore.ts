// The K3s side of a restore (docs/backups.md): the first server's datastore put back from a
// snapshot before K3s starts — with embedded etcd `k3s server --cluster-reset
// --cluster-reset-restore-path=FILE`, with SQLite the file placed as state.db — under the cluster's
// original token, which the restored datastore is encrypted with (K3s reference §1.3); the other
// servers drop their old datastore and join the restored cluster anew. The snapshot is checked
// before anything reaches a node, travels on stdin (never logged), and a marker on each node names
// the snapshot it was restored from, so a resumed run does not restore twice.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'
import { k3sDatastore, k3sRoleOf, k3sTokenPath } from '../../src-shared/k3s/k3s-install.ts'
import { sameFileCheck, shellQuote, type RemoteCommand } from '../../src-shared/k3s/remote-command.ts'
import type { ProfileNode } from '../../src-shared/profiles/profile-schema.ts'
import { snapshotProblem, type DatastoreKind } from '../day2/snapshot-file.ts'
import type { StepContext } from '../lifecycle/step-executor.ts'
import type { NodeShell } from '../ssh/node-shell.ts'
import { openIfSealed } from '../talos/talos-step-support.ts'
import { runOrFail } from './k3s-step-support.ts'

const k3sDbDir = '/var/lib/rancher/k3s/server/db'
const sqlitePath = `${k3sDbDir}/state.db`
const uploadDir = '/var/lib/clusterdeck/restore'
/**
 * Which snapshot this node's datastore was restored from (sha256 and file name): beside the
 * datastore, so that it goes with it (a destroy, a server dropping its old datastore).
 */
export const k3sRestoreMarkerPath = `${k3sDbDir}/clusterdeck-restored-from`

export interface RestoreSnapshot {
  path: string
  name: string
  bytes: Buffer
  sha256: string
  kind: DatastoreKind
}

export interface K3sRestore {
  snapshot: RestoreSnapshot
  /** The first server's: the cluster's original token. */
  token?: string
}

/**
 * The restore this install step is part of, or null in a deploy. Throws, before anything
 * changes, when the snapshot is unreadable or not the datastore this cluster has, or when the
 * first server's original token is not sealed.
 */
export async function k3sRestoreOf(context: StepContext, node: ProfileNode): Promise<K3sRestore | null> {
  const params = context.step.params as { restoreFrom?: string }
  if (!params.restoreFrom) return null
  const snapshot = await readRestoreSnapshot(context, node, params.restoreFrom)
  if (k3sRoleOf(context.profile, node) !== 'first-server') return { snapshot }
  const token = await openIfSealed(context.sealed, sealedNames.k3sToken)
  if (token === null)
    throw new AppError(
      'not_found',
      `Restoring "${context.profile.name}" needs the cluster's original K3s token (the restored datastore is encrypted with it), and none is sealed (${sealedNames.k3sToken}); nothing was restored.`,
      `Seal it from the secrets export (backup --secrets-to made it): clusterdeck restore ${context.profile.name} --snapshot ${params.restoreFrom} --secrets FILE --passphrase-stdin`,
    )
  context.secret(token)
  return { snapshot, token }
}

async function readRestoreSnapshot(
  context: StepContext,
  node: ProfileNode,
  path: string,
): Promise<RestoreSnapshot> {
  let bytes: Buffer
  try {
    bytes = await readFile(path)
  } catch (error) {
    throw new AppError(
      'invalid_input',
      `The snapshot ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); nothing was restored on ${node.hostname}.`,
      `Name a kept snapshot (clusterdeck cluster backups ${context.profile.name}), then start the restore again.`,
    )
  }
  const kind = k3sDatastore(context.profile)
  const problem = snapshotProblem(bytes, kind)
  if (problem)
    throw new AppError(
      'invalid_input',
      `The snapshot ${path} ${problem}; nothing was restored on ${node.hostname}.`,
      `Put an intact snapshot of this cluster in its place and resume (clusterdeck restore ${context.profile.name} --resume), or start again with another --snapshot (clusterdeck cluster backups ${context.profile.name} lists the kept ones).`,
    )
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  return { path, name: basename(path), bytes, sha256, kind }
}

function markerOf(snapshot: RestoreSnapshot): string {
  return `${snapshot.sha256}  ${snapshot.name}\n`
}

/** Whether the node's K3s was restored from (or rejoined a cluster restored from) this snapshot. */
export async function restoredOn(shell: NodeShell, snapshot: RestoreSnapshot): Promise<boolean> {
  return (await shell.run(sameFileCheck(k3sRestoreMarkerPath, markerOf(snapshot)))).exitCode === 0
}

export async function markRestored(shell: NodeShell, node: ProfileNode, snapshot: RestoreSnapshot) {
  await runOrFail(
    shell,
    node,
    {
      command: `mkdir -p ${k3sDbDir} && cat > ${k3sRestoreMarkerPath}`,
      stdin: markerOf(snapshot),
    },
    'Recording the restore',
  )
}

/** The file written from base64 on stdin (a secret: the datastore holds the cluster's Secrets). */
function uploadCommand(path: string, snapshot: RestoreSnapshot): RemoteCommand {
  const dir = path.slice(0, path.lastIndexOf('/'))
  const temporary = `${path}.clusterdeck-new`
  return {
    command: `mkdir -p ${shellQuote(dir)} && (umask 077; base64 -d > ${shellQuote(temporary)}) && mv -f ${shellQuote(temporary)} ${shellQuote(path)}`,
    stdin: snapshot.bytes.toString('base64'),
    secretStdin: true,
  }
}

/**
 * The first server's datastore from the snapshot, K3s installed but stopped: etcd reset to the
 * snapshot by K3s itself, or the SQLite file in place of state.db; then K3s is started.
 */
export async function restoreFirstServer(
  shell: NodeShell,
  node: ProfileNode,
  snapshot: RestoreSnapshot,
  log: (line: string) => void,
): Promise<void> {
  const run = (command: RemoteCommand, what: string) => runOrFail(shell, node, command, what)
  await run({ command: 'systemctl stop k3s' }, 'Stopping K3s')
  if (snapshot.kind === 'sqlite') {
    log(`Putting the SQLite datastore ${snapshot.name} (${snapshot.bytes.length} bytes) in place`)
    // A write-ahead log beside it belongs to the datastore being replaced.
    await run({ command: `rm -f ${sqlitePath}-wal ${sqlitePath}-shm` }, 'Removing the old write-ahead log')
    await run(uploadCommand(sqlitePath, snapshot), `Writing ${sqlitePath}`)
  } else {
    const path = `${uploadDir}/${snapshot.name}`
    log(`Uploading the etcd snapshot ${snapshot.name} (${snapshot.bytes.length} bytes)`)
    await run(uploadCommand(path, snapshot), `Uploading ${snapshot.name}`)
    await run(
      {
        command: `k3s server --cluster-reset --cluster-reset-restore-path=${shellQuote(path)} --token-file=${k3sTokenPath}`,
      },
      `Restoring etcd from ${snapshot.name} (k3s server --cluster-reset)`,
    )
    await run({ command: `rm -f ${shellQuote(path)}` }, 'Removing the uploaded snapshot')
  }
  await run({ command: 'systemctl start --no-block k3s' }, 'Starting K3s')
}

/** Another server of a restored cluster: its old etcd member data goes, so that it joins anew. */
export async function dropOldDatastore(shell: NodeShell, node: ProfileNode): Promise<void> {
  await runOrFail(
    shell,
    node,
    { command: `if systemctl is-active --quiet k3s; then systemctl stop k3s; fi && rm -rf ${k3sDbDir}` },
    'Removing the old datastore',
  )
}
