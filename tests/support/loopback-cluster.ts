// A real Kubernetes control plane on loopback for tests: kwokctl's binary runtime runs etcd,
// kube-apiserver, kube-controller-manager, kube-scheduler and the kwok controller (all built by
// scripts/peers.sh), bound to 127.0.0.1. kwok plays the kubelets: it keeps the simulated nodes
// Ready and moves scheduled pods to Running/Ready. What a home-lab cluster's add-ons would do —
// provision volumes and hand out LoadBalancer addresses — the stand-ins in cluster-stand-ins.ts do.
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1Node } from '@kubernetes/client-node'
import { parseAllDocuments, stringify } from 'yaml'
import { kwokNodeAnnotation, simulatedNode } from '../../src-main/kube/simulated-node.ts'
import { startClusterStandIns, type ClusterStandIns } from './cluster-stand-ins.ts'
import type { PeerName } from './peers.ts'

const run = promisify(execFile)

export const clusterPeers = [
  'kwokctl',
  'kwok',
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
] as const satisfies readonly PeerName[]

export interface LoopbackClusterOptions {
  binaries: Record<(typeof clusterPeers)[number], string>
  kubernetesVersion: string
  /** How many simulated worker nodes to create (named loopback-node-0 …). */
  nodes: number
}

export interface LoopbackCluster {
  kubeconfigPath: string
  /** etcd's client URL (plain gRPC on loopback), e.g. http://127.0.0.1:32765. */
  etcdEndpoint: string
  kubeConfig: KubeConfig
  nodeNames: string[]
  stop(): Promise<void>
}

export async function addSimulatedNode(kubeConfig: KubeConfig, name: string): Promise<void> {
  await kubeConfig.makeApiClient(CoreV1Api).createNode({ body: simulatedNode({ name }) })
}

/**
 * What a kubelet losing its node looks like: kwok stops managing the node (its annotation goes)
 * and the node's Ready condition turns False, as the kubelet would report before going silent.
 */
export async function makeNodeNotReady(kubeConfig: KubeConfig, name: string): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api)
  await core.patchNode(
    { name, body: { metadata: { annotations: { [kwokNodeAnnotation]: null } } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  )
  const now = new Date()
  await core.patchNodeStatus(
    {
      name,
      body: {
        status: {
          conditions: [
            {
              type: 'Ready',
              status: 'False',
              reason: 'KubeletNotReady',
              message: 'node stopped by the test',
              lastHeartbeatTime: now,
              lastTransitionTime: now,
            },
          ],
        },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
  )
}

export function isNodeReady(node: V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false
}

async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  while (Date.now() < deadline) {
    try {
      const value = await check()
      if (value !== undefined) return value
    } catch (error) {
      lastError = error
    }
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new Error(`loopback cluster: ${what} not reached in ${timeoutMs / 1000}s`, { cause: lastError })
}

/** etcd's client URL as kwokctl recorded it: the etcd component's args in the cluster's kwok.yaml. */
async function etcdClientUrl(clusterDir: string): Promise<string> {
  const [config] = parseAllDocuments(await readFile(join(clusterDir, 'kwok.yaml'), 'utf8'))
  const components = (config?.toJS() as { components?: { name: string; args?: string[] }[] }).components
  const flag = '--advertise-client-urls='
  const url = components
    ?.find((component) => component.name === 'etcd')
    ?.args?.find((arg) => arg.startsWith(flag))
    ?.slice(flag.length)
  if (!url) throw new Error(`loopback cluster: no etcd client URL in ${join(clusterDir, 'kwok.yaml')}`)
  return url
}

/** The last lines of every component's log, so a failed start says which component broke and why. */
async function componentLogs(clusterDir: string): Promise<string> {
  const logsDir = join(clusterDir, 'logs')
  const files = await readdir(logsDir).catch(() => [])
  const tails = await Promise.all(
    files.map(async (file) => {
      const lines = (await readFile(join(logsDir, file), 'utf8')).trimEnd().split('\n')
      return `--- ${file}\n${lines.slice(-15).join('\n')}`
    }),
  )
  return tails.join('\n')
}

export async function startLoopbackCluster(options: LoopbackClusterOptions): Promise<LoopbackCluster> {
  const workdir = await mkdtemp(join(tmpdir(), 'clusterdeck-kwok-'))
  const name = 'clusterdeck-test'
  const clusterDir = join(workdir, 'clusters', name)
  const env = { ...process.env, KWOK_WORKDIR: workdir }
  // --kubeconfig: kwokctl adds a context to ~/.kube/config unless told to use another file.
  const kwokctl = (...args: string[]) =>
    run(options.binaries.kwokctl, [...args, '--name', name, '--kubeconfig', join(workdir, 'contexts.yaml')], {
      env,
      maxBuffer: 16 * 1024 * 1024,
    })
  // The kubeconfig kwokctl writes for the cluster's own components: admin certificates, loopback URL.
  const kubeconfigPath = join(clusterDir, 'kubeconfig.yaml')

  const configPath = join(workdir, 'kwokctl.yaml')
  await writeFile(
    configPath,
    stringify({
      kind: 'KwokctlConfiguration',
      apiVersion: 'config.kwok.x-k8s.io/v1alpha1',
      options: {
        runtime: 'binary',
        // kwokctl binds every component to 0.0.0.0 unless told otherwise.
        bindAddress: '127.0.0.1',
        kubeVersion: options.kubernetesVersion,
        etcdBinary: options.binaries.etcd,
        kubeApiserverBinary: options.binaries['kube-apiserver'],
        kubeControllerManagerBinary: options.binaries['kube-controller-manager'],
        kubeSchedulerBinary: options.binaries['kube-scheduler'],
        kwokControllerBinary: options.binaries.kwok,
      },
      componentsPatches: [
        {
          name: 'kwok-controller',
          extraArgs: [
            { key: 'manage-all-nodes', value: 'false', override: true },
            { key: 'manage-nodes-with-annotation-selector', value: `${kwokNodeAnnotation}=fake` },
          ],
        },
      ],
    }),
  )

  let standIns: ClusterStandIns | undefined
  const stop = async () => {
    await standIns?.stop()
    await kwokctl('delete', 'cluster').catch(() => undefined)
    await rm(workdir, { recursive: true, force: true })
  }

  try {
    await kwokctl(
      'create',
      'cluster',
      '--config',
      configPath,
      '--runtime',
      'binary',
      '--wait',
      '3m',
      '--timeout',
      '5m',
    )
    const kubeConfig = new KubeConfig()
    kubeConfig.loadFromFile(kubeconfigPath)
    const server = new URL(kubeConfig.getCurrentCluster()?.server ?? 'missing:')
    if (server.hostname !== '127.0.0.1') {
      throw new Error(`loopback cluster: the API server listens on ${server.host}, not on loopback`)
    }

    standIns = await startClusterStandIns(kubeConfig)
    const nodeNames = Array.from({ length: options.nodes }, (_, i) => `loopback-node-${i}`)
    for (const nodeName of nodeNames) await addSimulatedNode(kubeConfig, nodeName)
    const core = kubeConfig.makeApiClient(CoreV1Api)
    await until('simulated nodes Ready', 120_000, async () => {
      const nodes = await core.listNode()
      return nodes.items.filter(isNodeReady).length >= options.nodes ? true : undefined
    })
    // Pods need the namespace's default ServiceAccount, which the controller manager creates.
    await until('the default ServiceAccount', 60_000, async () =>
      core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' }),
    )
    const etcdEndpoint = await etcdClientUrl(clusterDir)
    return { kubeconfigPath, etcdEndpoint, kubeConfig, nodeNames, stop }
  } catch (error) {
    const logs = await componentLogs(clusterDir)
    await stop()
    throw new Error(`loopback cluster did not start: ${(error as Error).message}\n${logs}`, { cause: error })
  }
}
