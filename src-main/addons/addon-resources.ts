// What an add-on needs after its chart, and the wait for it to be ready. Custom resources go in
// only once their webhook answers, and even then the first calls may be refused while the webhook
// warms up, so applying is retried a bounded number of times (docs/addons.md).
import { AppError } from '../../src-shared/contract/app-error.ts'
import {
  metallbPoolName,
  selfSignedIssuerName,
  type ReadinessCheck,
} from '../../src-shared/addons/addon-catalogue.ts'
import { apiErrorText, type CheckResult, type KubeObjects, type KubeResource } from '../kube/kube-objects.ts'

export interface Waiting {
  signal: AbortSignal
  log(line: string): void
  /** How often to look again. */
  pollMs: number
}

/** MetalLB's pool of the profile's range, and the layer-2 announcement of it. */
export function metallbPool(namespace: string, addresses: string): KubeResource[] {
  const metadata = { name: metallbPoolName, namespace }
  return [
    { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata, spec: { addresses: [addresses] } },
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'L2Advertisement',
      metadata,
      spec: { ipAddressPools: [metallbPoolName] },
    },
  ]
}

export function selfSignedIssuer(): KubeResource {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'ClusterIssuer',
    metadata: { name: selfSignedIssuerName },
    spec: { selfSigned: {} },
  }
}

/** Applies the objects, retrying refusals (a webhook still starting, a CRD not yet served). */
export async function applyWithRetries(
  kube: Pick<KubeObjects, 'apply'>,
  objects: KubeResource[],
  waiting: Waiting,
  attempts = 8,
): Promise<void> {
  for (const object of objects) {
    const what = `${object.kind} ${object.metadata.name}`
    for (let attempt = 1; ; attempt++) {
      try {
        await kube.apply(object)
        waiting.log(`applied ${what}`)
        break
      } catch (error) {
        if (attempt >= attempts || waiting.signal.aborted) {
          throw new AppError(
            'cluster_refused',
            `${what} was refused ${attempt} times: ${apiErrorText(error)}`,
            'Check the add-on’s webhook pods in the cluster view, then retry the step.',
          )
        }
        waiting.log(`${what} refused (attempt ${attempt} of ${attempts}): ${apiErrorText(error)}`)
        await sleep(Math.min(waiting.pollMs * 2 ** (attempt - 1), 15_000), waiting.signal)
      }
    }
  }
}

/** Whether every check holds now, with what each one saw. */
export async function checkAll(
  kube: Pick<KubeObjects, 'check'>,
  checks: readonly ReadinessCheck[],
  namespace: string,
): Promise<CheckResult[]> {
  return Promise.all(checks.map((check) => kube.check(check, namespace)))
}

/** Waits until every check holds; fails after `timeoutMs` naming what was not ready. */
export async function waitUntilReady(
  kube: Pick<KubeObjects, 'check'>,
  checks: readonly ReadinessCheck[],
  namespace: string,
  timeoutMs: number,
  waiting: Waiting,
): Promise<CheckResult[]> {
  return waitForAll(() => checkAll(kube, checks, namespace), timeoutMs, waiting)
}

/**
 * Looks until every result holds, logging what was seen whenever it changed; fails after
 * `timeoutMs` naming only what was not ready. The add-on step and the cluster's last readiness
 * step (src-main/lifecycle/steps/cluster-ready-step.ts) both wait with it.
 */
export async function waitForAll(
  look: () => Promise<CheckResult[]>,
  timeoutMs: number,
  waiting: Waiting,
): Promise<CheckResult[]> {
  const deadline = Date.now() + timeoutMs
  let reported = ''
  for (;;) {
    const results = await look()
    const summary = results.map((r) => r.detail).join('; ')
    if (summary !== reported) waiting.log(summary)
    reported = summary
    const notReady = results.filter((r) => !r.ready).map((r) => r.detail)
    if (notReady.length === 0) return results
    if (waiting.signal.aborted) throw new AppError('cancelled', 'Stopped waiting for readiness.')
    if (Date.now() > deadline) {
      throw new AppError(
        'timeout',
        `Not ready after ${Math.round(timeoutMs / 1000)} s: ${notReady.join('; ')}`,
        'Look at these in the cluster view, then retry the step.',
      )
    }
    await sleep(waiting.pollMs, waiting.signal)
  }
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
  })
}
