import { afterEach, describe, expect, it } from 'vitest'
import type { ClusterRecord } from '../../src-shared/clusters/cluster-schema.ts'
import type { ClusterHealth } from '../../src-shared/clusters/health-schema.ts'
import { closedPort } from '../../tests/support/closed-port.ts'
import { EventBus } from '../core/event-bus.ts'
import { ClusterHealthService } from './cluster-health-service.ts'

const record = (overrides: Partial<ClusterRecord> = {}): ClusterRecord => ({
  id: 'c1',
  profileId: null,
  profileName: 'lab',
  distribution: 'talos',
  versions: {},
  apiEndpoint: 'https://10.10.88.10:6443',
  nodes: [],
  artifacts: [{ name: 'kubeconfig', path: 'clusters/c1/secrets/kubeconfig', sealedAt: '' }],
  lastRunId: null,
  createdAt: '',
  updatedAt: '',
  readyAt: null,
  destroyedAt: null,
  ...overrides,
})

const kubeconfig = (port: number) => `apiVersion: v1
kind: Config
clusters:
- name: lab
  cluster: { server: 'https://127.0.0.1:${port}' }
users:
- name: admin
  user: { token: not-a-real-token }
contexts:
- name: admin@lab
  context: { cluster: lab, user: admin }
current-context: admin@lab
`

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('cluster health service', () => {
  let service: ClusterHealthService | undefined
  afterEach(async () => service?.close())

  async function serviceFor(found: ClusterRecord, options: { leaseMs?: number; retryMs?: number } = {}) {
    const port = await closedPort()
    const events = new EventBus()
    const announced: ClusterHealth[] = []
    events.on('clusters.healthChanged', (health) => announced.push(health))
    let opened = 0
    service = new ClusterHealthService({
      clusters: {
        get: () => found,
        openSecret: async () => {
          opened += 1
          return Buffer.from(kubeconfig(port))
        },
      },
      profiles: { find: () => undefined },
      events,
      charts: async () => null,
      ...options,
    })
    return { service, announced, port, opened: () => opened }
  }

  it('an API server that is not there is unreachable, announced once however often it is tried again', async () => {
    const { service, announced, port } = await serviceFor(record(), { retryMs: 20 })
    const health = await service.health('lab')
    expect(health).toMatchObject({ state: 'unreachable', server: `https://127.0.0.1:${port}`, nodes: [] })
    expect(health.unreachable?.message).toMatch(/Could not reach the Kubernetes API .*ECONNREFUSED/)
    expect(health.unreachable?.hint).toContain('powered on')
    await sleep(150)
    expect(announced).toHaveLength(1)
  })

  it('a watch lives for its lease: asked again within it, the kubeconfig is opened once; after it, anew', async () => {
    const { service, opened } = await serviceFor(record(), { leaseMs: 100 })
    await service.health('lab')
    await service.health('lab')
    expect(opened()).toBe(1)
    await sleep(200)
    await service.health('lab')
    expect(opened()).toBe(2)
  })

  it('refuses a cluster without a kubeconfig or one that was destroyed, saying what to do', async () => {
    const bare = await serviceFor(record({ artifacts: [] }))
    await expect(bare.service.health('lab')).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('has no kubeconfig yet'),
    })
    const gone = await serviceFor(record({ destroyedAt: '2026-01-01T00:00:00.000Z' }))
    await expect(gone.service.health('lab')).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('was destroyed'),
    })
  })
})
