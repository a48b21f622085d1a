// The loopback Kubernetes cluster (tests/support/loopback-cluster.ts) driven the way the app will
// drive a home-lab cluster: the real helm installs a chart from a chart repository, and
// @kubernetes/client-node lists and watches what happens. Skipped, with the reason, where
// scripts/peers.sh could not build the peers.
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  VersionApi,
  Watch,
  type KubernetesObject,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { helmEnv, serveChartRepository, type ChartRepository } from '../support/chart-repository.ts'
import { addSimulatedNode, isNodeReady, makeNodeNotReady } from '../support/loopback-cluster.ts'

const run = promisify(execFile)
const cluster = inject('loopbackCluster')
const skip = cluster.skip

/**
 * Watches `path` until `done` returns true for an event, and resolves with every event seen.
 * Rejects when the watch ends early or the time runs out.
 */
async function watchUntil<T extends KubernetesObject>(
  kubeConfig: KubeConfig,
  path: string,
  query: Record<string, string>,
  done: (type: string, object: T) => boolean,
  timeoutMs: number,
  start: () => Promise<unknown> = async () => undefined,
): Promise<{ type: string; object: T }[]> {
  const events: { type: string; object: T }[] = []
  let abort: AbortController | undefined
  let timer: NodeJS.Timeout | undefined
  try {
    return await new Promise((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`watch on ${path} saw no end in ${timeoutMs / 1000}s`)),
        timeoutMs,
      )
      new Watch(kubeConfig)
        .watch(
          path,
          query,
          (type, object: T) => {
            events.push({ type, object })
            if (done(type, object)) resolve(events)
          },
          (error) => reject(new Error(`watch on ${path} ended: ${String(error)}`)),
        )
        .then(async (controller) => {
          abort = controller
          await start()
        })
        .catch(reject)
    })
  } finally {
    clearTimeout(timer)
    abort?.abort()
  }
}

const podReady = (pod: V1Pod) =>
  pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false

describe.skipIf(skip !== undefined)(`loopback Kubernetes cluster${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const kubeConfig = new KubeConfig()
  let core: CoreV1Api
  let apps: AppsV1Api
  let repository: ChartRepository
  let helmHome: string
  const namespaces: string[] = []

  async function newNamespace(prefix: string): Promise<string> {
    const name = `${prefix}-${randomBytes(3).toString('hex')}`
    await core.createNamespace({ body: { metadata: { name } } })
    namespaces.push(name)
    return name
  }

  const helm = (...args: string[]) =>
    run(cluster.helm, [...args, '--kubeconfig', cluster.kubeconfigPath], { env: helmEnv(helmHome) })

  beforeAll(async () => {
    kubeConfig.loadFromFile(cluster.kubeconfigPath)
    core = kubeConfig.makeApiClient(CoreV1Api)
    apps = kubeConfig.makeApiClient(AppsV1Api)
    helmHome = await mkdtemp(join(tmpdir(), 'clusterdeck-helm-'))
    repository = await serveChartRepository(cluster.helm, ['web-app'])
  })

  afterAll(async () => {
    await repository?.close()
    for (const name of namespaces) await core.deleteNamespace({ name }).catch(() => undefined)
    if (helmHome) await rm(helmHome, { recursive: true, force: true })
  })

  it('serves the Kubernetes version its control plane was built as, on loopback', async () => {
    const version = await kubeConfig.makeApiClient(VersionApi).getCode()
    expect(version.gitVersion).toBe(cluster.kubernetesVersion)
    expect(new URL(kubeConfig.getCurrentCluster()?.server ?? '').hostname).toBe('127.0.0.1')
    const nodes = await core.listNode()
    const ours = nodes.items.filter((node) => cluster.nodeNames.includes(node.metadata?.name ?? ''))
    expect(ours.map(isNodeReady)).toEqual(cluster.nodeNames.map(() => true))
    expect(ours.flatMap((node) => node.spec?.taints ?? [])).toEqual([])
  })

  it('helm upgrade --install --wait brings a chart from the loopback repository up: pods Ready, volume Bound, LoadBalancer address', async () => {
    const namespace = await newNamespace('web')
    await helm(
      'upgrade',
      '--install',
      'web',
      'web-app',
      '--repo',
      repository.url,
      '--version',
      '0.1.0',
      '--namespace',
      namespace,
      '--wait',
      '--timeout',
      '3m',
    )
    expect(repository.downloads.get('web-app-0.1.0.tgz')).toBeGreaterThan(0)

    const status = JSON.parse(
      (await helm('status', 'web', '--namespace', namespace, '--output', 'json')).stdout,
    )
    expect(status.info.status).toBe('deployed')

    const deployment = await apps.readNamespacedDeployment({ name: 'web', namespace })
    expect(deployment.status?.readyReplicas).toBe(2)
    const pods = await core.listNamespacedPod({ namespace, labelSelector: 'app.kubernetes.io/instance=web' })
    expect(pods.items.filter(podReady)).toHaveLength(2)
    // The cluster is shared by the peers tests: virtual Talos nodes of other files may be Nodes too.
    const ready = (await core.listNode()).items.filter(isNodeReady).map((node) => node.metadata?.name)
    for (const pod of pods.items) expect(ready).toContain(pod.spec?.nodeName)

    const claim = await core.readNamespacedPersistentVolumeClaim({ name: 'web-data', namespace })
    expect(claim.status?.phase).toBe('Bound')
    const volume = await core.readPersistentVolume({ name: claim.spec?.volumeName ?? '' })
    expect(volume.status?.phase).toBe('Bound')

    // helm 4 waits for a LoadBalancer Service's cluster IP only; the address comes a moment later.
    const service = await watchUntil<
      KubernetesObject & { status?: { loadBalancer?: { ingress?: { ip?: string }[] } } }
    >(
      kubeConfig,
      `/api/v1/namespaces/${namespace}/services`,
      { fieldSelector: 'metadata.name=web' },
      (_type, object) => (object.status?.loadBalancer?.ingress?.length ?? 0) > 0,
      30_000,
    )
    expect(service.at(-1)?.object.status?.loadBalancer?.ingress?.[0]?.ip).toMatch(/^127\.0\.1\.\d+$/)
  })

  it('a watch sees the pods of a new Deployment go from Pending to Ready', async () => {
    const namespace = await newNamespace('watch')
    const readyPods = new Set<string>()
    const events = await watchUntil<V1Pod>(
      kubeConfig,
      `/api/v1/namespaces/${namespace}/pods`,
      {},
      (_type, pod) => {
        if (podReady(pod)) readyPods.add(pod.metadata?.name ?? '')
        return readyPods.size === 3
      },
      120_000,
      () =>
        apps.createNamespacedDeployment({
          namespace,
          body: {
            metadata: { name: 'echo' },
            spec: {
              replicas: 3,
              selector: { matchLabels: { app: 'echo' } },
              template: {
                metadata: { labels: { app: 'echo' } },
                spec: { containers: [{ name: 'echo', image: 'registry.invalid/clusterdeck/echo:1' }] },
              },
            },
          },
        }),
    )
    for (const name of readyPods) {
      const seen = events.filter((event) => event.object.metadata?.name === name).map((event) => event.object)
      expect(seen[0]?.status?.phase ?? 'Pending').toBe('Pending')
      expect(podReady(seen[0] as V1Pod)).toBe(false)
      expect(seen.at(-1)?.status?.phase).toBe('Running')
    }
  })

  it('a watch sees a simulated node go NotReady', async () => {
    const name = `loopback-flaky-${randomBytes(3).toString('hex')}`
    const watchNode = (ready: boolean, start?: () => Promise<unknown>) =>
      watchUntil<V1Node>(
        kubeConfig,
        '/api/v1/nodes',
        { fieldSelector: `metadata.name=${name}` },
        (_type, node) => isNodeReady(node) === ready && (node.status?.conditions?.length ?? 0) > 0,
        60_000,
        start,
      )
    try {
      await watchNode(true, () => addSimulatedNode(kubeConfig, name))
      const events = await watchNode(false, () => makeNodeNotReady(kubeConfig, name))
      const ready = events.at(-1)?.object.status?.conditions?.find((c) => c.type === 'Ready')
      expect(ready?.status).toBe('False')
      expect(ready?.reason).toBe('KubeletNotReady')
    } finally {
      await core.deleteNode({ name }).catch(() => undefined)
    }
  })
})
