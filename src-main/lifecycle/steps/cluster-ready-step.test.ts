// The deploy's last readiness step with the cluster read through fakes; against the loopback
// cluster it runs in tests/peers/talos-lifecycle.test.ts.
import { describe, expect, it } from 'vitest'
import type { ReadinessCheck } from '../../../src-shared/addons/addon-catalogue.ts'
import { AppError } from '../../../src-shared/contract/app-error.ts'
import { profileFromTemplate } from '../../../src-shared/profiles/profile-templates.ts'
import type { CheckResult } from '../../kube/kube-objects.ts'
import type { NodeReadiness } from '../../kube/kube-nodes.ts'
import type { StepContext } from '../step-executor.ts'
import { clusterReadyStep } from './cluster-ready-step.ts'

const profile = profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })
const hostnames = profile.nodes.map((node) => node.hostname)

function contextFor(
  lines: string[],
  kubeconfig: string | null = 'kubeconfig-text',
): StepContext<'cluster.ready'> {
  return {
    runId: 'run',
    runCreatedAt: new Date().toISOString(),
    step: {
      kind: 'cluster.ready',
      id: 'ready',
      phase: 'ready',
      title: 'Cluster ready',
      dependsOn: [],
      resources: [],
      params: {},
    },
    profile,
    signal: new AbortController().signal,
    confirmations: [],
    log: (line) => void lines.push(line),
    secret: () => undefined,
    outputOf: () => undefined,
    sealed: {
      seal: async () => undefined,
      open: async (name) => {
        if (name !== 'kubeconfig' || kubeconfig === null) throw new AppError('not_found', `no "${name}"`)
        return kubeconfig
      },
    },
  }
}

const readyNodes = async (): Promise<NodeReadiness[]> =>
  hostnames.map((name) => ({ name, ready: true, reason: '' }))

const kubeWhere = (notReady: (check: ReadinessCheck, namespace: string) => boolean) => () => ({
  check: async (check: ReadinessCheck, namespace: string): Promise<CheckResult> => {
    const name = 'name' in check ? check.name : check.service
    if (notReady(check, namespace)) return { ready: false, detail: `${check.kind} ${name}: 0/1` }
    return check.kind === 'load-balancer'
      ? { ready: true, detail: `${name}: 10.10.88.80`, address: '10.10.88.80' }
      : { ready: true, detail: `${check.kind} ${name}: ok` }
  },
})

describe('cluster.ready', () => {
  it('is done at the first look where every node and add-on is ready, naming them', async () => {
    const lines: string[] = []
    const step = clusterReadyStep({ listNodeReadiness: readyNodes, kubeFor: kubeWhere(() => false) })
    const result = await step.run(contextFor(lines))
    expect(result.message).toBe(
      'The cluster is Ready: 4 nodes Ready, MetalLB, Traefik, cert-manager, Longhorn, Monitoring (kube-prometheus-stack), Portainer ready; addresses 10.10.88.80',
    )
    expect(result.output).toMatchObject({ nodes: hostnames, addresses: ['10.10.88.80'] })
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('node turing-cp1: Ready; ')
  })

  it('fails after its short wait naming the node and the add-on check that are not ready', async () => {
    const step = clusterReadyStep({
      listNodeReadiness: async () =>
        (await readyNodes()).map((node) =>
          node.name === 'turing-w3' ? { ...node, ready: false, reason: 'KubeletNotReady' } : node,
        ),
      kubeFor: kubeWhere((check) => 'name' in check && check.name === 'longhorn-ui'),
      pollMs: 5,
      timeoutMs: 20,
    })
    const error = await step.run(contextFor([])).catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'timeout',
      message:
        'Not ready after 0 s: node turing-w3: not Ready (KubeletNotReady); Longhorn: deployment longhorn-ui: 0/1',
    })
  })

  it('says the Kubernetes API does not answer, and asks for the bootstrap when there is no kubeconfig', async () => {
    const unreachable = clusterReadyStep({
      listNodeReadiness: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:6443')
      },
      kubeFor: kubeWhere(() => false),
      pollMs: 5,
      timeoutMs: 0,
    })
    await expect(unreachable.run(contextFor([]))).rejects.toMatchObject({
      message: 'Not ready after 0 s: the Kubernetes API: connect ECONNREFUSED 127.0.0.1:6443',
    })
    const step = clusterReadyStep({ listNodeReadiness: readyNodes })
    await expect(step.run(contextFor([], null))).rejects.toMatchObject({
      code: 'not_found',
      hint: expect.stringContaining('Cluster bootstrap'),
    })
  })
})
