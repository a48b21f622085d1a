// The end of a Talos bootstrap: it waits until every node is Ready in Kubernetes with apid, kubelet
// and (on control planes) etcd running healthy, and its timeout names each node and what it lacks.
import { describe, expect, it } from 'vitest'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import { fakeStepContext } from '../../tests/support/fake-step-context.ts'
import { FakeTalosctl } from '../../tests/support/fake-talosctl.ts'
import type { NodeReadiness } from '../kube/kube-nodes.ts'
import { parseServices } from './talos-node.ts'
import { talosWaitReadyStep } from './talos-wait-ready.ts'

const template = profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })
const profile = { ...template, versions: { ...template.versions, talos: 'v1.12.0' } }
const addresses = ['127.0.0.11', '127.0.0.12', '127.0.0.13', '127.0.0.14']
const talosconfig = `context: lab\ncontexts:\n  lab:\n    endpoints: [127.0.0.11]\n    nodes: [${addresses.join(', ')}]\n    key: Y2xpZW50LXByaXZhdGUta2V5\n`
const healthy: Array<[string, string, string]> = [
  ['apid', 'Running', 'OK'],
  ['kubelet', 'Running', 'OK'],
]

function setup(
  readiness: () => NodeReadiness[],
  /** null: the profile's timeouts.readySeconds decides. */
  readyTimeoutMs: number | null = 60_000,
  stepProfile = profile,
) {
  const talosctl = new FakeTalosctl(talosconfig)
  profile.nodes.forEach((node, i) =>
    talosctl.nodes.set(addresses[i]!, {
      hostname: node.hostname,
      mode: 'configured',
      services: node.role === 'control-plane' ? [...healthy, ['etcd', 'Running', 'OK']] : [...healthy],
    }),
  )
  const seen: string[] = []
  const step = talosWaitReadyStep({
    tools: {
      resolve: async () => ({ tool: 'talosctl', path: '/opt/talosctl', version: 'v1.12.0', source: 'path' }),
    },
    boards: { get: async () => ({ address: 'https://127.0.0.1:8443' }) as never },
    imageSourceUrl: () => null,
    appliedConfigs: { sha256Of: () => null, record: () => undefined },
    runner: () => talosctl.run,
    pollMs: 1,
    ...(readyTimeoutMs === null ? {} : { readyTimeoutMs }),
    listNodeReadiness: async (kubeconfig) => {
      seen.push(kubeconfig)
      return readiness()
    },
  })
  const context = fakeStepContext(stepProfile, 'cluster:nodes-ready', 'cluster.wait-ready', {
    sealed: {
      talosconfig,
      kubeconfig: 'apiVersion: v1\nusers:\n  - user:\n      token: the-admin-token-123\n',
    },
  })
  return { talosctl, step, context, seen }
}

const allReady = (): NodeReadiness[] =>
  profile.nodes.map((node) => ({ name: node.hostname, ready: true, reason: '' }))

describe('cluster.wait-ready for Talos', () => {
  it('waits until the last node turns Ready, asking the Talos services through the first control plane', async () => {
    let looks = 0
    const { talosctl, step, context, seen } = setup(() =>
      ++looks < 3
        ? allReady().map((n) =>
            n.name === 'turing-w3' ? { ...n, ready: false, reason: 'KubeletNotReady' } : n,
          )
        : allReady(),
    )
    const result = await step.run(context)
    expect(result.message).toBe(
      'All 4 nodes are Ready in Kubernetes, with apid, kubelet and (on control planes) etcd running healthy',
    )
    expect(looks).toBe(3)
    expect(seen[0]).toMatch(/the-admin-token-123/)
    expect(context.lines[0]).toBe('Not ready yet: turing-w3 is not Ready (KubeletNotReady)')
    expect(talosctl.calls[0]).toBe(`services -n ${addresses.join(',')} -e 127.0.0.11 [talosconfig]`)
    expect(context.secrets).toContain('the-admin-token-123')
  })

  it('times out naming each node and what it lacks', async () => {
    const { talosctl, step, context } = setup(
      () =>
        allReady()
          .filter((n) => n.name !== 'turing-w2')
          .map((n) =>
            n.name === 'turing-w1'
              ? { ...n, ready: false, reason: 'NodeStatusUnknown: Kubelet stopped posting node status.' }
              : n,
          ),
      30,
    )
    talosctl.nodes.get('127.0.0.11')!.services = [...healthy, ['etcd', 'Preparing', '?']]
    talosctl.nodes.get('127.0.0.14')!.services = [['apid', 'Running', 'OK']]
    const error = (await step.run(context).catch((caught: unknown) => caught)) as AppError
    expect(error).toBeInstanceOf(AppError)
    expect(error.code).toBe('timeout')
    expect(error.message).toBe(
      'The cluster was not ready within 0 s: etcd on turing-cp1 is Preparing (health ?); ' +
        'turing-w1 is not Ready (NodeStatusUnknown: Kubelet stopped posting node status.); ' +
        'turing-w2 is not a Kubernetes node yet; turing-w3 has no kubelet service.',
    )
  })

  it('waits as long as the profile’s timeouts.readySeconds says', async () => {
    const impatient = { ...profile, timeouts: { ...profile.timeouts, readySeconds: 0.03 } }
    const { step, context } = setup(() => [], null, impatient)
    const error = (await step.run(context).catch((caught: unknown) => caught)) as AppError
    expect(error.code).toBe('timeout')
    expect(error.message).toMatch(
      /^The cluster was not ready within 0 s: turing-cp1 is not a Kubernetes node yet/,
    )
  })

  it('says which API did not answer', async () => {
    const { step, context } = setup(() => {
      throw new AppError('network_unreachable', 'https://127.0.0.1:6443 does not answer')
    }, 10)
    const error = (await step.run(context).catch((caught: unknown) => caught)) as AppError
    expect(error.message).toMatch(
      /^The cluster was not ready within 0 s: the Kubernetes API: https:\/\/127\.0\.0\.1:6443 does not answer\.$/,
    )
  })

  it('reads talosctl’s services table', () => {
    expect(
      parseServices(
        'NODE         SERVICE   STATE     HEALTH   LAST CHANGE   LAST EVENT\nturing-cp1   etcd      Running   OK       2m3s ago      Health check successful\n',
      ),
    ).toEqual([{ node: 'turing-cp1', service: 'etcd', state: 'Running', health: 'OK' }])
  })
})
