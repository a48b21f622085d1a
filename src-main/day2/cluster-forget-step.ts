// The last step of a destroy: unless the destroy backed up first (then the sealed secrets and the
// snapshots stay, for a restore), the cluster's sealed files, their data key in the keychain and
// its backups are deleted. The record itself stays as history and is marked destroyed when the
// run finishes (ClusterService.recordRun).
import type { StepExecutor } from '../lifecycle/step-executor.ts'
import { deployedRecord, type Day2Dependencies } from './day2-support.ts'

export function clusterForgetStep(
  deps: Pick<Day2Dependencies, 'clusterRecord' | 'forgetSecrets'>,
): StepExecutor<'cluster.forget'> {
  return {
    async run(context) {
      if (context.step.params.keepSecrets) {
        return {
          message: `Kept the sealed secrets and backups of "${context.profile.name}" (the destroy backed up first)`,
        }
      }
      const record = deployedRecord(deps, context)
      const names = record.artifacts.map((artifact) => artifact.name)
      await deps.forgetSecrets(record.id)
      return {
        message: `Deleted the sealed secrets${names.length ? ` (${names.join(', ')})` : ''}, their data key and the backups of "${context.profile.name}"`,
      }
    },
  }
}
