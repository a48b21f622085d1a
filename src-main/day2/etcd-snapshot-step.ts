// The backup steps (docs/backups.md): cluster.etcd-snapshot streams etcd's snapshot from the first
// control plane (`talosctl etcd snapshot`; on K3s `k3s etcd-snapshot save` or the SQLite file,
// k3s-day2.ts) into the cluster's backups folder and describes it (size, sha256); cluster.save-backup checks the file still has that hash and applies the retention count,
// deleting the oldest snapshots. The step outputs carry the path, size and hash only.
import { rm } from 'node:fs/promises'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { stepIds } from '../../src-shared/lifecycle/step-ids.ts'
import type { StepExecutor } from '../lifecycle/step-executor.ts'
import { applyRetention, describeSnapshot, fileSha256, newSnapshotPath } from './backup-store.ts'
import { deployedRecord, talosTarget, type Day2Dependencies } from './day2-support.ts'
import { takeK3sSnapshot } from './k3s-day2.ts'

const snapshotTimeoutMs = 10 * 60_000

export function etcdSnapshotStep(deps: Day2Dependencies): StepExecutor<'cluster.etcd-snapshot'> {
  return {
    async run(context) {
      const record = deployedRecord(deps, context)
      const { distribution } = context.step.params
      const node = context.profile.nodes.find((n) => n.address === context.step.params.address)
      if (!node) throw new AppError('internal', `No node of the profile has ${context.step.params.address}.`)
      const hostname = node.hostname
      const path = await newSnapshotPath(deps.dataDir, record.id)
      let source = 'etcd'
      try {
        if (distribution === 'k3s') source = (await takeK3sSnapshot(deps, context, node, path)).source
        else {
          const { address, talosconfig, talosctl } = await talosTarget(deps, context, hostname)
          await talosctl({
            args: ['etcd', 'snapshot', path, '-n', address, '-e', address],
            talosconfig,
            timeoutMs: snapshotTimeoutMs,
          })
        }
      } catch (error) {
        await rm(path, { force: true })
        throw error
      }
      const backup = await describeSnapshot(path, {
        takenAt: new Date().toISOString(),
        node: hostname,
        distribution,
        version: record.versions[distribution] ?? context.profile.versions[distribution] ?? null,
        runId: context.runId,
      })
      return {
        message: `Snapshot of ${source} from ${hostname}: ${backup.sizeBytes} bytes, sha256 ${backup.sha256.slice(0, 16)}…`,
        output: { file: backup.file, sizeBytes: backup.sizeBytes, sha256: backup.sha256 },
      }
    },
  }
}

export function saveBackupStep(deps: Day2Dependencies): StepExecutor<'cluster.save-backup'> {
  return {
    async run(context) {
      const record = deployedRecord(deps, context)
      const taken = context.outputOf(stepIds.etcdSnapshot)
      if (typeof taken?.file !== 'string' || typeof taken.sha256 !== 'string') {
        throw new AppError(
          'not_found',
          'This run has no snapshot to keep.',
          'Retry the "Snapshot etcd" step first.',
        )
      }
      if ((await fileSha256(taken.file).catch(() => null)) !== taken.sha256) {
        throw new AppError(
          'checksum_mismatch',
          `The snapshot ${taken.file} is missing or changed since it was taken.`,
          'Retry the "Snapshot etcd" step to take a new one.',
        )
      }
      const deleted = await applyRetention(deps.dataDir, record.id, context.step.params.retention)
      for (const file of deleted) context.log(`deleted the older snapshot ${file}`)
      return {
        message: `Kept the snapshot (sha256 ${taken.sha256.slice(0, 16)}…)${deleted.length ? `; deleted ${deleted.length} older beyond the newest ${context.step.params.retention}` : ''}`,
        output: { file: taken.file, sizeBytes: taken.sizeBytes, sha256: taken.sha256, deleted },
      }
    },
  }
}
