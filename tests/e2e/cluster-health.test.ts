// The cluster page's health section in Chromium: a cluster whose API server is not there (the
// sealed kubeconfig names 127.0.0.11:6443) is shown calmly with the server and the reason; the
// Grafana password appears only when asked for, by keyboard; and the section follows the core's
// clusters.healthChanged events over the WebSocket without being asked again. (The core's watch
// itself, against a real cluster, is proven in tests/peers/cluster-health.test.ts.)
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { ClusterHealth } from '../../src-shared/clusters/health-schema.ts'
import { sealBootstrappedCluster, type BootstrappedCluster } from '../support/bootstrapped-cluster.ts'
import { startAppHost, type AppHost } from './support/app-host.ts'
import { seriousAxeFindings } from './support/axe.ts'
import { pagePerTest } from './support/page-per-test.ts'
import { ProfileView } from './support/profiles-page.ts'

describe('cluster health in Chromium', () => {
  let host: AppHost
  let lab: BootstrappedCluster

  beforeAll(async () => {
    host = await startAppHost('health')
    await host.request('boards.add', {
      name: 'rack-1',
      address: 'https://127.0.0.1:9',
      user: 'root',
      password: 'turing',
    })
    lab = await sealBootstrappedCluster(host.core, host.secrets, { name: 'lab', board: 'rack-1' })
  })

  afterAll(async () => {
    await lab?.forget()
    await host?.close()
  })

  const session = pagePerTest({ url: () => host.url })
  let page: Page
  beforeEach(() => ({ page } = session))

  const section = () => page.getByTestId('cluster-health')

  it('reached from the profile, says calmly that the cluster cannot be reached, where and why', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'lab', exact: true }).click()
    await new ProfileView(page).waitFor('lab')
    await page.getByRole('button', { name: 'Cluster access' }).click()
    const unreachable = section().getByTestId('health-unreachable')
    await unreachable.waitFor()
    expect(await section().getByTestId('health-state').innerText()).toMatch(/unreachable/i)
    const text = await unreachable.innerText()
    expect(text).toContain('The cluster cannot be reached at https://127.0.0.11:6443')
    expect(text).toContain('Kubernetes API at https://127.0.0.11:6443')
    expect(text).toContain('tries again by itself')
    expect(text).not.toMatch(/\n\s+at |Error:/)
    for (const secret of lab.secrets) expect(await page.content()).not.toContain(secret)
    expect(await seriousAxeFindings(page)).toEqual([])
  })

  it('shows the Grafana password only when asked, by keyboard, and hides it again', async () => {
    await page.goto(host.url.replace('#', '#/clusters/lab&'))
    const show = section().getByRole('button', { name: 'Show the Grafana password' })
    await show.waitFor()
    expect(await page.content()).not.toContain(lab.grafanaPassword)
    await show.focus()
    await page.keyboard.press('Enter')
    const password = section().getByTestId('grafana-password')
    await password.waitFor()
    expect(await password.innerText()).toBe(lab.grafanaPassword)
    await section().getByRole('button', { name: 'Hide' }).press('Enter')
    await show.waitFor()
    expect(await page.content()).not.toContain(lab.grafanaPassword)
  })

  it('follows the core’s health events: nodes, add-ons with their addresses, pods and warnings, live', async () => {
    await page.goto(host.url.replace('#', '#/clusters/lab&'))
    await section().getByTestId('health-unreachable').waitFor()
    const healthy: ClusterHealth = {
      cluster: 'lab',
      server: 'https://127.0.0.11:6443',
      state: 'degraded',
      reasons: ['Node rk1-2 is not Ready: KubeletNotReady: PLEG is not healthy.'],
      unreachable: null,
      nodes: [
        {
          name: 'rk1-1',
          ready: true,
          reason: '',
          roles: ['control-plane'],
          kubeletVersion: 'v1.35.0',
          osImage: 'Talos (v1.12.0)',
          addresses: [{ type: 'InternalIP', address: '10.10.88.11' }],
          cpu: '8',
          memory: '32Gi',
        },
        {
          name: 'rk1-2',
          ready: false,
          reason: 'KubeletNotReady: PLEG is not healthy',
          roles: ['worker'],
          kubeletVersion: 'v1.35.0',
          osImage: 'Talos (v1.12.0)',
          addresses: [{ type: 'InternalIP', address: '10.10.88.12' }],
          cpu: '8',
          memory: '32Gi',
        },
      ],
      notReadyPods: [
        {
          namespace: 'default',
          name: 'web-0',
          phase: 'Running',
          reason: 'CrashLoopBackOff',
          containers: [{ name: 'web', ready: false, state: 'waiting: CrashLoopBackOff', restarts: 4 }],
        },
      ],
      addons: [
        {
          key: 'portainer',
          title: 'Portainer',
          release: 'portainer',
          namespace: 'portainer',
          releaseStatus: 'deployed',
          revision: 1,
          chart: 'portainer-239.4.0',
          pinnedVersion: '239.4.0',
          checks: [{ ready: true, detail: 'deployment portainer: 1/1 available' }],
          podsReady: 1,
          podsTotal: 1,
          url: 'https://10.10.88.81:9443',
          portForward: null,
          ready: true,
        },
      ],
      warnings: [
        {
          namespace: 'default',
          object: 'Pod/web-0',
          reason: 'BackOff',
          message: 'Back-off restarting failed container',
          count: 4,
          lastSeen: new Date().toISOString(),
        },
      ],
      checkedAt: new Date().toISOString(),
    }
    host.core.events.emit('clusters.healthChanged', healthy)
    await section().getByTestId('health-nodes').waitFor()
    expect(await section().getByTestId('health-state').innerText()).toMatch(/degraded/i)
    expect(await section().getByTestId('health-reasons').innerText()).toContain('Node rk1-2 is not Ready')
    expect(await section().locator('[data-node="rk1-2"]').getAttribute('data-ready')).toBe('false')
    expect(await section().locator('[data-addon="portainer"]').innerText()).toContain(
      'https://10.10.88.81:9443',
    )
    expect(await section().getByRole('button', { name: 'Copy Portainer address' }).isVisible()).toBe(true)
    expect(await section().getByTestId('health-pods').innerText()).toContain('CrashLoopBackOff')
    expect(await section().getByTestId('health-warnings').innerText()).toContain('Back-off restarting')
    expect(await seriousAxeFindings(page)).toEqual([])
  })
})
