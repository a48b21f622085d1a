// Which chart each helm release runs, asked of the managed helm (`helm list`): the release records
// in the cluster carry the chart only inside their payload, which Clusterdeck does not decode. The
// kubeconfig exists in a private temporary directory while helm runs. Without a usable helm the
// charts are unknown, which the cluster view says, rather than a failure of the whole view.
import { AppError } from '../../src-shared/contract/app-error.ts'
import { helmHomeEnv, listCharts } from '../addons/helm-release.ts'
import { withPrivateFiles } from '../addons/private-files.ts'
import type { ToolsService } from '../tools/tools-service.ts'

export function releaseCharts(
  tools: Pick<ToolsService, 'resolve'>,
  dataDir: string,
): (kubeconfig: string) => Promise<Map<string, string> | null> {
  return async (kubeconfig) => {
    try {
      const helm = await tools.resolve('helm')
      return await withPrivateFiles(async (files) =>
        listCharts({
          helm: helm.path,
          kubeconfigPath: await files.write('kubeconfig', kubeconfig),
          env: helmHomeEnv(dataDir),
          signal: AbortSignal.timeout(60_000),
          log: () => undefined,
          secrets: [kubeconfig],
        }),
      )
    } catch (error) {
      if (error instanceof AppError) return null
      throw error
    }
  }
}
