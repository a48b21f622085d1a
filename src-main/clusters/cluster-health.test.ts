import { describe, expect, it } from 'vitest'
import { addonEntry } from '../../src-shared/addons/addon-catalogue.ts'
import type { HealthNode } from '../../src-shared/clusters/health-schema.ts'
import type { ClusterFacts, PodFacts } from '../kube/cluster-watch.ts'
import { addonHealth, healthVerdict, summariseHealth, unreachableHealth } from './cluster-health.ts'

const node = (name: string, ready = true, reason = ''): HealthNode => ({
  name,
  ready,
  reason,
  roles: ['control-plane'],
  kubeletVersion: 'v1.36.1',
  osImage: 'Talos (v1.12.0)',
  addresses: [{ type: 'InternalIP', address: '10.10.88.11' }],
  cpu: '8',
  memory: '32Gi',
})

const pod = (namespace: string, name: string, ready = true, reason = ''): PodFacts => ({
  namespace,
  name,
  phase: ready ? 'Running' : 'Pending',
  reason,
  ready,
  containers: [],
})

function facts(overrides: Partial<ClusterFacts> = {}): ClusterFacts {
  return {
    nodes: [node('cp-2'), node('cp-1')],
    pods: [pod('portainer', 'portainer-0'), pod('default', 'web-0', false, 'CrashLoopBackOff')],
    services: [{ namespace: 'portainer', name: 'portainer', type: 'LoadBalancer', address: '10.10.88.81' }],
    releases: [{ namespace: 'portainer', name: 'portainer', status: 'deployed', revision: 2 }],
    warnings: [
      {
        namespace: 'default',
        object: 'Pod/web-0',
        reason: 'BackOff',
        message: 'restarting',
        count: 3,
        lastSeen: '2026-01-01T00:00:01.000Z',
      },
      {
        namespace: 'default',
        object: 'Pod/web-1',
        reason: 'Failed',
        message: 'pull',
        count: 1,
        lastSeen: '2026-01-01T00:00:05.000Z',
      },
    ],
    ...overrides,
  }
}

const ok = [{ ready: true, detail: 'deployment portainer: 1/1 available' }]

describe('cluster health model', () => {
  it('an add-on is ready when its release is deployed, its checks hold and its pods are Ready; its UI gets the LoadBalancer address', () => {
    const portainer = addonHealth(
      { entry: addonEntry('portainer'), checks: ok, chart: 'portainer-239.4.0' },
      facts(),
    )
    expect(portainer).toMatchObject({
      releaseStatus: 'deployed',
      revision: 2,
      chart: 'portainer-239.4.0',
      podsReady: 1,
      podsTotal: 1,
      url: 'https://10.10.88.81:9443',
      portForward: null,
      ready: true,
    })
  })

  it('a UI without an address of its own is reached by a port-forward from an unprivileged port', () => {
    const grafana = addonHealth({ entry: addonEntry('monitoring'), checks: ok, chart: null }, facts())
    expect(grafana.url).toBeNull()
    expect(grafana.portForward).toEqual({
      command: 'kubectl --namespace monitoring port-forward service/kube-prometheus-stack-grafana 8080:80',
      localUrl: 'http://localhost:8080',
    })
  })

  it('names why an add-on is not ready: no release, a release not deployed, a failing check, pods not Ready', () => {
    const entry = addonEntry('portainer')
    const reasons = (f: ClusterFacts, checks = ok) =>
      healthVerdict([node('cp-1')], [addonHealth({ entry, checks, chart: null }, f)]).reasons
    expect(reasons(facts({ releases: [] }))).toEqual([
      'Portainer is not ready: release portainer is not installed in portainer.',
    ])
    expect(
      reasons(
        facts({ releases: [{ namespace: 'portainer', name: 'portainer', status: 'failed', revision: 3 }] }),
      ),
    ).toEqual(['Portainer is not ready: release portainer is failed.'])
    expect(
      reasons(facts(), [{ ready: false, detail: 'LoadBalancer service portainer: no address yet' }]),
    ).toEqual(['Portainer is not ready: LoadBalancer service portainer: no address yet.'])
    expect(reasons(facts({ pods: [pod('portainer', 'portainer-0', false, 'ImagePullBackOff')] }))).toEqual([
      'Portainer is not ready: 0/1 pods Ready.',
    ])
  })

  it('healthy needs every node Ready and every add-on ready; pods outside the add-ons are listed but do not decide', () => {
    const health = summariseHealth({
      cluster: 'lab',
      server: 'https://10.10.88.10:6443',
      facts: facts(),
      addons: [{ entry: addonEntry('portainer'), checks: ok, chart: 'portainer-239.4.0' }],
      now: new Date('2026-01-01T00:00:10Z'),
    })
    expect(health.state).toBe('healthy')
    expect(health.reasons).toEqual([])
    expect(health.nodes.map((n) => n.name)).toEqual(['cp-1', 'cp-2'])
    expect(health.notReadyPods).toEqual([
      { namespace: 'default', name: 'web-0', phase: 'Pending', reason: 'CrashLoopBackOff', containers: [] },
    ])
    expect(health.warnings.map((w) => w.object)).toEqual(['Pod/web-1', 'Pod/web-0'])

    const notReady = summariseHealth({
      cluster: 'lab',
      server: 'https://10.10.88.10:6443',
      facts: facts({ nodes: [node('cp-1'), node('cp-2', false, 'KubeletNotReady: PLEG is not healthy')] }),
      addons: [],
      now: new Date(),
    })
    expect(notReady.state).toBe('degraded')
    expect(notReady.reasons).toEqual(['Node cp-2 is not Ready: KubeletNotReady: PLEG is not healthy.'])
    expect(healthVerdict([], []).reasons).toEqual(['The cluster has no nodes.'])
  })

  it('an unreachable cluster says what failed and what to do, and guesses nothing else', () => {
    const health = unreachableHealth(
      'lab',
      'https://10.10.88.10:6443',
      {
        message:
          'Could not reach the Kubernetes API at https://10.10.88.10:6443 to list the nodes (ECONNREFUSED).',
        hint: 'Check the nodes.',
      },
      new Date('2026-01-01T00:00:00Z'),
    )
    expect(health).toMatchObject({
      state: 'unreachable',
      unreachable: { hint: 'Check the nodes.' },
      nodes: [],
      addons: [],
    })
    expect(health.reasons[0]).toContain('ECONNREFUSED')
  })
})
