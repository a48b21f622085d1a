// One helm release of an add-on, through the managed helm and the process runner: what is deployed
// (helm history, which carries the description Clusterdeck writes: the hash of the values it
// installed with), and `helm upgrade --install` with a pinned chart, a values file and a timeout.
// Helm's output goes to the step log line by line, redacted.
import { join } from 'node:path'
import { z } from 'zod'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { chartArgs, type AddonChart } from '../../src-shared/addons/addon-catalogue.ts'
import { runProcess } from '../tools/process-runner.ts'

export interface HelmTarget {
  /** The helm binary the tools manager resolved. */
  helm: string
  kubeconfigPath: string
  /** helm's cache, config and data directories (HELM_*_HOME). */
  env: Record<string, string>
  signal: AbortSignal
  log(line: string): void
  /** Values never to show (a password inside the values file). */
  secrets: readonly string[]
}

/** helm's cache, config and data under the data directory, apart from the user's own helm. */
export function helmHomeEnv(dataDir: string): Record<string, string> {
  const helmHome = join(dataDir, 'helm')
  return {
    HELM_CACHE_HOME: join(helmHome, 'cache'),
    HELM_CONFIG_HOME: join(helmHome, 'config'),
    HELM_DATA_HOME: join(helmHome, 'data'),
  }
}

const historySchema = z.array(
  z.object({
    revision: z.number(),
    status: z.string(),
    chart: z.string(),
    description: z.string().optional().default(''),
  }),
)
export type ReleaseRevision = z.infer<typeof historySchema>[number]

/** The release's latest revision, or null when there is no such release. */
export async function latestRevision(
  target: HelmTarget,
  release: string,
  namespace: string,
): Promise<ReleaseRevision | null> {
  return (await releaseHistory(target, release, namespace, 1)).at(-1) ?? null
}

/** The release's newest `max` revisions, oldest first; empty when there is no such release. */
export async function releaseHistory(
  target: HelmTarget,
  release: string,
  namespace: string,
  max: number,
): Promise<ReleaseRevision[]> {
  const result = await runProcess({
    command: target.helm,
    args: [
      'history',
      release,
      '--namespace',
      namespace,
      '--max',
      String(max),
      '--output',
      'json',
      ...kube(target),
    ],
    env: target.env,
    signal: target.signal,
    secrets: target.secrets,
    captureStdoutBytes: 1024 * 1024,
    okExitCodes: [0, 1],
    timeoutMs: 60_000,
  })
  if (result.exitCode !== 0) {
    if (/not found/i.test(result.stderrTail)) return []
    throw new AppError('tool_failed', `helm history ${release} failed: ${result.stderrTail}`)
  }
  const parsed = historySchema.safeParse(JSON.parse(result.stdout || '[]'))
  if (!parsed.success)
    throw new AppError('tool_failed', `helm history ${release} printed JSON of another shape.`)
  return parsed.data
}

export interface UpgradeInstall {
  release: string
  namespace: string
  chart: AddonChart
  valuesPath: string
  description: string
  timeoutSeconds: number
}

export async function upgradeInstall(target: HelmTarget, install: UpgradeInstall): Promise<void> {
  const args = [
    'upgrade',
    '--install',
    install.release,
    ...chartArgs(install.chart),
    '--namespace',
    install.namespace,
    '--create-namespace',
    '--values',
    install.valuesPath,
    // helm 4's --wait watches the resources' status (kstatus) until they are ready.
    '--wait',
    '--timeout',
    `${install.timeoutSeconds}s`,
    '--description',
    install.description,
    ...kube(target),
  ]
  target.log(
    `helm ${args.slice(0, 3 + chartArgs(install.chart).length).join(' ')} --namespace ${install.namespace}`,
  )
  await runHelm(target, args, install.timeoutSeconds)
}

/** `helm uninstall`, waiting until the release's resources are gone (or the timeout). */
export async function uninstall(
  target: HelmTarget,
  release: { release: string; namespace: string; timeoutSeconds: number },
): Promise<void> {
  const args = [
    'uninstall',
    release.release,
    '--namespace',
    release.namespace,
    '--wait',
    '--timeout',
    `${release.timeoutSeconds}s`,
    ...kube(target),
  ]
  target.log(`helm uninstall ${release.release} --namespace ${release.namespace}`)
  await runHelm(target, args, release.timeoutSeconds)
}

/** helm with its output in the step log; helm stops itself at --timeout, the limit here only catches a helm that hangs past it. */
function runHelm(target: HelmTarget, args: string[], timeoutSeconds: number): Promise<unknown> {
  return runProcess({
    command: target.helm,
    args,
    env: target.env,
    signal: target.signal,
    secrets: target.secrets,
    onLine: (line) => target.log(line),
    timeoutMs: (timeoutSeconds + 60) * 1000,
  })
}

const listSchema = z.array(z.object({ name: z.string(), namespace: z.string(), chart: z.string() }))

/** The chart of every release in the cluster (`helm list -A`), by "namespace/release". */
export async function listCharts(target: HelmTarget): Promise<Map<string, string>> {
  const result = await runProcess({
    command: target.helm,
    args: [
      'list',
      '--all-namespaces',
      '--deployed',
      '--failed',
      '--pending',
      '--output',
      'json',
      ...kube(target),
    ],
    env: target.env,
    signal: target.signal,
    secrets: target.secrets,
    captureStdoutBytes: 4 * 1024 * 1024,
    timeoutMs: 60_000,
  })
  const parsed = listSchema.safeParse(JSON.parse(result.stdout || '[]'))
  if (!parsed.success) throw new AppError('tool_failed', 'helm list printed JSON of another shape.')
  return new Map(parsed.data.map((release) => [`${release.namespace}/${release.name}`, release.chart]))
}

function kube(target: HelmTarget): string[] {
  return ['--kubeconfig', target.kubeconfigPath]
}
