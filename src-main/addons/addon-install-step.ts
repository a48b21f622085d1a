// The addon.install step: one add-on from the catalogue into the cluster through the managed helm.
// The namespace is labelled for Pod Security first where the add-on runs privileged pods; the chart
// goes in at its pinned version with the values the profile gives it; what the add-on needs after
// its chart (MetalLB's pool once its webhook answers, cert-manager's self-signed issuer) is applied;
// then the step waits for the catalogue's readiness checks. The cluster's kubeconfig and the
// values file exist only in a private temporary directory while helm runs. A release already
// deployed at the same chart version with the same values, and ready, is skipped (docs/addons.md);
// one at another chart version or with other values is upgraded in place (`helm upgrade`, the
// upgrade's add-on phase: docs/upgrades.md), and a failed upgrade names the revision to roll back to.
import { createHash, randomBytes } from 'node:crypto'
import { AppError } from '../../src-shared/contract/app-error.ts'
import {
  addonEntry,
  chartSource,
  readinessChecks,
  selfSignedIssuerName,
  type AddonEntry,
} from '../../src-shared/addons/addon-catalogue.ts'
import { valuesFor, type AddonSecrets, type HelmValues } from '../../src-shared/addons/addon-values.ts'
import type { StepContext, StepExecutor, StepResult } from '../lifecycle/step-executor.ts'
import type { ToolsService } from '../tools/tools-service.ts'
import { KubeObjects, type CheckResult } from '../kube/kube-objects.ts'
import {
  applyWithRetries,
  checkAll,
  metallbPool,
  selfSignedIssuer,
  waitUntilReady,
  type Waiting,
} from './addon-resources.ts'
import {
  helmHomeEnv,
  latestRevision,
  releaseHistory,
  upgradeInstall,
  type HelmTarget,
  type ReleaseRevision,
} from './helm-release.ts'
import { withPrivateFiles, type PrivateFiles } from './private-files.ts'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'

export interface AddonInstallDependencies {
  tools: Pick<ToolsService, 'resolve'>
  /** The data directory: helm keeps its cache and config under helm/ there, apart from the user's. */
  dataDir: string
  /** One chart repository (http(s):// or oci://) serving every chart: CLUSTERDECK_CHART_REPOSITORY. */
  chartMirror?: string
  /** How often readiness is looked at again; tests make it short. */
  pollMs?: number
}

/** Talos enforces the baseline level; these pods need more (host network, host paths). */
const privilegedLabels = {
  'pod-security.kubernetes.io/enforce': 'privileged',
  'pod-security.kubernetes.io/audit': 'privileged',
  'pod-security.kubernetes.io/warn': 'privileged',
}

interface Session {
  files: PrivateFiles
  helm: HelmTarget
  kube: KubeObjects
  waiting: Waiting
}

type Context = StepContext<'addon.install'>

export function addonInstallStep(deps: AddonInstallDependencies): StepExecutor<'addon.install'> {
  const pollMs = deps.pollMs ?? 2000

  async function session<T>(context: Context, secrets: AddonSecrets, use: (s: Session) => Promise<T>) {
    const kubeconfig = await openKubeconfig(context)
    const helm = await deps.tools.resolve('helm')
    return withPrivateFiles(async (files) => {
      const waiting: Waiting = { signal: context.signal, log: (line) => context.log(line), pollMs }
      const target: HelmTarget = {
        helm: helm.path,
        kubeconfigPath: await files.write('kubeconfig', kubeconfig),
        env: helmHomeEnv(deps.dataDir),
        signal: context.signal,
        log: waiting.log,
        secrets: [kubeconfig, ...Object.values(secrets)],
      }
      return use({ files, helm: target, kube: new KubeObjects(kubeconfig), waiting })
    })
  }

  return {
    async alreadyDone(context) {
      const entry = addonEntry(context.step.params.addon)
      const secrets = await existingSecrets(context)
      if (!secrets) return null
      const description = describeValues(entry, valuesFor(entry.key, context.profile, secrets))
      return session(context, secrets, async ({ helm, kube }) => {
        const revision = await latestRevision(helm, entry.release, entry.namespace)
        if (
          revision?.status !== 'deployed' ||
          revision.chart !== `${entry.chart.name}-${entry.chart.version}` ||
          revision.description !== description
        )
          return null
        const results = await checkAll(kube, readinessChecks(entry.key, context.profile), entry.namespace)
        if (!results.every((result) => result.ready)) return null
        return result(
          entry,
          results,
          `${entry.release} ${entry.chart.version} is deployed with the same values`,
        )
      })
    },

    async run(context) {
      const entry = addonEntry(context.step.params.addon)
      const secrets: AddonSecrets =
        entry.key === 'monitoring' ? { grafanaAdminPassword: await grafanaPassword(context) } : {}
      const values = valuesFor(entry.key, context.profile, secrets)
      const checks = readinessChecks(entry.key, context.profile)
      return session(context, secrets, async ({ files, helm, kube, waiting }) => {
        const revision = await latestRevision(helm, entry.release, entry.namespace)
        if (revision?.status.startsWith('pending')) {
          throw new AppError(
            'conflict',
            `The ${entry.release} release is ${revision.status}: an earlier helm run was stopped half-way.`,
            revision.status === 'pending-install' && revision.revision === 1
              ? `Remove it with: helm uninstall ${entry.release} --namespace ${entry.namespace}, then retry the step.`
              : `Roll it back with: helm rollback ${entry.release} --namespace ${entry.namespace}, then retry the step.`,
          )
        }
        if (entry.privileged) {
          await kube.ensureNamespace(entry.namespace, privilegedLabels)
          context.log(`namespace ${entry.namespace} labelled for privileged pods (Pod Security)`)
        }
        if (revision) context.log(`${entry.release} runs ${revision.chart} (revision ${revision.revision})`)
        await upgradeInstall(helm, {
          release: entry.release,
          namespace: entry.namespace,
          chart: chartSource(entry.key, deps.chartMirror),
          valuesPath: await files.write('values.json', JSON.stringify(values, null, 2)),
          description: describeValues(entry, values),
          timeoutSeconds: entry.timeoutSeconds,
        }).catch(async (error: unknown) => {
          // A release that existed before is left failed by helm: say which, and where it can go back to.
          if (!revision || !(error instanceof AppError) || error.code !== 'tool_failed') throw error
          const after = await releaseHistory(helm, entry.release, entry.namespace, 256).catch(() => null)
          throw failedUpgrade(entry, context.profile.name, revision, after, error)
        })
        const timeoutMs = entry.timeoutSeconds * 1000
        if (entry.key === 'metallb' && context.profile.network.metallbRange) {
          const webhook = checks.filter((check) => check.kind === 'webhook')
          await waitUntilReady(kube, webhook, entry.namespace, timeoutMs, waiting)
          await applyWithRetries(
            kube,
            metallbPool(entry.namespace, context.profile.network.metallbRange),
            waiting,
          )
        }
        if (entry.key === 'certManager' && context.profile.addons.certManager.selfSignedIssuer) {
          await applyWithRetries(kube, [selfSignedIssuer()], waiting)
          context.log(`waiting for ClusterIssuer ${selfSignedIssuerName} to be Ready`)
        }
        const results = await waitUntilReady(kube, checks, entry.namespace, timeoutMs, waiting)
        return result(entry, results, `${entry.title} ${entry.chart.version} is installed and ready`)
      })
    },
  }
}

/** The release description: the values' hash, so a resumed run knows whether they changed. */
export function describeValues(entry: AddonEntry, values: HelmValues): string {
  const hash = createHash('sha256').update(JSON.stringify(values)).digest('hex').slice(0, 32)
  return `clusterdeck ${entry.chart.name} ${entry.chart.version} values sha256:${hash}`
}

/**
 * A failed `helm upgrade` of a release that was there before. helm refused before changing it (a
 * chart it could not fetch or render), or left a failed revision — no automatic rollback
 * (docs/upgrades.md) — and then the error names the newest revision that ever worked, the one helm's
 * own rollback-on-failure would pick, for `helm rollback`. Retrying the step upgrades it again.
 */
export function failedUpgrade(
  entry: AddonEntry,
  cluster: string,
  before: ReleaseRevision,
  /** Its revisions after the failure, oldest first; null when helm could not be asked. */
  history: readonly ReleaseRevision[] | null,
  cause: AppError,
): AppError {
  const pinned = `${entry.chart.name}-${entry.chart.version}`
  const what = `The ${entry.release} release in ${entry.namespace}`
  const details = { release: entry.release, namespace: entry.namespace }
  const kubeconfig = `--kubeconfig FILE, with FILE from clusterdeck cluster kubeconfig ${cluster} -o FILE`
  if (!history) {
    return new AppError(
      'tool_failed',
      `${what} failed to move from ${before.chart} (revision ${before.revision}) to ${pinned}: ${cause.message}`,
      `See where it was left with helm history ${entry.release} --namespace ${entry.namespace} ${kubeconfig}; helm rollback ${entry.release} REVISION returns it to one that worked. Or fix the cause and retry the step.`,
      details,
    )
  }
  const latest = history.at(-1)
  if (!latest || latest.revision === before.revision) {
    return new AppError(
      'tool_failed',
      `${what} was not upgraded from ${before.chart} (revision ${before.revision}) to ${pinned}: ${cause.message}`,
      'helm changed nothing, so there is nothing to roll back: fix the cause (the step log has helm’s whole output) and retry the step.',
      details,
    )
  }
  const good = history.findLast((r) => r.status === 'deployed' || r.status === 'superseded')
  return new AppError(
    'tool_failed',
    `${what} failed to move from ${before.chart} (revision ${before.revision}) to ${pinned}, left as revision ${latest.revision} (${latest.status}): ${cause.message}`,
    good
      ? `Roll it back to revision ${good.revision} (${good.chart}): helm rollback ${entry.release} ${good.revision} --namespace ${entry.namespace} ${kubeconfig}; or fix the cause and retry the step. The step log has helm’s whole output.`
      : `No revision of it ever worked, so there is none to roll back to: remove it with helm uninstall ${entry.release} --namespace ${entry.namespace} ${kubeconfig}; or fix the cause and retry the step.`,
    { ...details, ...(good ? { rollbackTo: String(good.revision) } : {}) },
  )
}

function result(entry: AddonEntry, checks: CheckResult[], message: string): StepResult {
  const addresses = checks.flatMap((check) => (check.address ? [check.address] : []))
  return {
    message: addresses.length > 0 ? `${message}; address ${addresses.join(', ')}` : message,
    output: {
      release: entry.release,
      namespace: entry.namespace,
      chart: entry.chart.name,
      chartVersion: entry.chart.version,
      ...(addresses.length > 0 ? { addresses } : {}),
    },
  }
}

async function openKubeconfig(context: Context): Promise<string> {
  try {
    return await context.sealed.open(sealedNames.kubeconfig)
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') {
      throw new AppError(
        'not_found',
        'The cluster has no kubeconfig yet, so no add-on can be installed.',
        'Run the cluster bootstrap first: it exports the kubeconfig.',
      )
    }
    throw error
  }
}

/** The secrets the values were built with last time; null when one was never made (not installed). */
async function existingSecrets(context: Context): Promise<AddonSecrets | null> {
  if (context.step.params.addon !== 'monitoring') return {}
  try {
    return { grafanaAdminPassword: await context.sealed.open(sealedNames.grafanaAdminPassword) }
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') return null
    throw error
  }
}

/** Grafana's admin password: the sealed one, or a new one sealed before helm ever sees it. */
async function grafanaPassword(context: Context): Promise<string> {
  const existing = await existingSecrets(context)
  if (existing?.grafanaAdminPassword) return existing.grafanaAdminPassword
  const password = randomBytes(18).toString('base64url')
  context.secret(password)
  await context.sealed.seal(sealedNames.grafanaAdminPassword, password)
  context.log(`generated the Grafana admin password and sealed it as "${sealedNames.grafanaAdminPassword}"`)
  return password
}
