// The Kubernetes API behind a virtual control plane: a loopback cluster (kwokctl's etcd,
// kube-apiserver and kwok, docs/test-peers.md) stands in for the one Talos would run. A virtual
// node that finishes booting joins it as a Node that kwok keeps Ready, as a kubelet would register
// and heartbeat; a reset or powered-off node leaves it.
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import {
  ApiException,
  CoreV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
} from '@kubernetes/client-node'
import { stringify } from 'yaml'
import { z } from 'zod'
import { AppError, describeIssues } from '../../src-shared/contract/app-error.ts'
import type { VirtualKubernetes } from '../virtual-talos/virtual-talos-backends.ts'
import { callKubeApi } from './kube-call.ts'
import { loadKubeconfig } from './kubeconfig.ts'
import { simulatedNode } from './simulated-node.ts'

// A Node's name is a DNS subdomain (lower case), which is what Talos makes of its host name.
const nodeName = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'expected a lower-case host name (letters, digits, "-", ".")')

const kubernetesVersion = z
  .string()
  .regex(/^v\d+\.\d+\.\d+$/, 'expected a Kubernetes version such as v1.35.0')

const joinSchema = z
  .object({
    hostname: nodeName,
    role: z.enum(['control-plane', 'worker']),
    address: z.union([z.ipv4(), z.ipv6()]),
  })
  .and(
    z.union([
      z.object({
        talosVersion: z.string().regex(/^v\d+\.\d+\.\d+/, 'expected a Talos version such as v1.12.0'),
        kubeletVersion: kubernetesVersion.optional(),
      }),
      z.object({
        k3sVersion: z
          .string()
          .regex(/^v\d+\.\d+\.\d+\+k3s\d+$/, 'expected a K3s release such as v1.33.4+k3s1'),
        osImage: z.string().min(1).max(200),
      }),
    ]),
  )

const staticPodsSchema = z.object({
  hostname: nodeName,
  pods: z.array(
    z.object({
      component: z.enum(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']),
      image: z.string().min(1).max(500),
      configVersion: z.string().regex(/^\d+$/, 'expected a resource version'),
    }),
  ),
})

const manifestsSchema = z.array(
  z.looseObject({
    apiVersion: z.string().min(1),
    kind: z.string().min(1),
    metadata: z.looseObject({ name: nodeName, namespace: nodeName.optional() }),
  }),
)

const clusterNameSchema = z
  .string()
  .trim()
  .min(1, 'the cluster name is empty')
  .max(253)
  .regex(/^[^\p{Cc}]+$/u, 'the cluster name holds control characters')

function parsed<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value)
  if (!result.success) throw new AppError('invalid_input', `${what}: ${describeIssues(result.error)}.`)
  return result.data
}

/** The version of the Talos config resource a static pod was rendered from (upgrade-k8s waits on it). */
const configVersionAnnotation = 'talos.dev/config-version'
/** What marks a Pod as a kubelet's mirror of a static pod; its value is the pod's hash. */
const mirrorAnnotation = 'kubernetes.io/config.mirror'

const mergePatch = (options: Parameters<typeof setHeaderOptions>[2]) =>
  setHeaderOptions('Content-Type', PatchStrategy.MergePatch, options)

export function loopbackKubernetes(kubeconfigPath: string): VirtualKubernetes {
  const { kubeConfig, server } = loadKubeconfig(readFileSync(kubeconfigPath, 'utf8'), kubeconfigPath)
  const core = kubeConfig.makeApiClient(CoreV1Api)
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig)
  const cluster = kubeConfig.getCurrentCluster()!
  const user = kubeConfig.getCurrentUser()

  /** A certificate or key as kubeconfig data (base64), embedded from its file where it is one. */
  const embedded = async (data: string | undefined, file: string | undefined) => {
    if (data !== undefined || file === undefined) return data
    try {
      return (await readFile(file)).toString('base64')
    } catch (error) {
      throw new AppError(
        'network_unreachable',
        `The loopback cluster's ${file} cannot be read (${(error as NodeJS.ErrnoException).code}).`,
        'The loopback cluster may have been deleted: start it again and restart the virtual board.',
      )
    }
  }

  return {
    async kubeconfigFor(clusterName) {
      const name = parsed(clusterNameSchema, clusterName, 'Cannot make a kubeconfig')
      const userName = `admin@${name}`
      const clientCertificate = await embedded(user?.certData, user?.certFile)
      const clientKey = await embedded(user?.keyData, user?.keyFile)
      return stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name,
            cluster: {
              server: cluster.server,
              'certificate-authority-data': await embedded(cluster.caData, cluster.caFile),
            },
          },
        ],
        users: [
          {
            name: userName,
            user: {
              ...(clientCertificate ? { 'client-certificate-data': clientCertificate } : {}),
              ...(clientKey ? { 'client-key-data': clientKey } : {}),
              ...(user?.token ? { token: user.token } : {}),
            },
          },
        ],
        contexts: [{ name: userName, context: { cluster: name, user: userName } }],
        'current-context': userName,
      })
    },

    async joinNode(node) {
      const join = parsed(joinSchema, node, 'Cannot join the node')
      const { hostname, role, address } = join
      const controlPlane = role === 'control-plane'
      const body = simulatedNode({
        name: hostname,
        controlPlane,
        address,
        arch: 'arm64',
        ...('talosVersion' in join
          ? { osImage: `Talos (${join.talosVersion})`, kubeletVersion: join.kubeletVersion }
          : {
              osImage: join.osImage,
              kubeletVersion: join.k3sVersion,
              // K3s labels its servers with "true" (K3s reference §1.4).
              labels: controlPlane
                ? {
                    'node-role.kubernetes.io/control-plane': 'true',
                    'node-role.kubernetes.io/master': 'true',
                  }
                : {},
            }),
      })
      await callKubeApi({ server, what: `register node ${hostname}` }, async (options) => {
        try {
          await core.createNode({ body }, options)
        } catch (error) {
          if (!(error instanceof ApiException && error.code === 409)) throw error
          // Back after a reboot or an upgrade: the kubelet updates its Node, and kwok takes it
          // over again through its annotation. The status goes first: once kwok sees the
          // annotation it writes the node's status from what it saw, which must be the new one.
          const { addresses, nodeInfo } = body.status!
          const { osImage, kubeletVersion } = nodeInfo!
          await core.patchNodeStatus(
            { name: hostname, body: { status: { addresses, nodeInfo: { osImage, kubeletVersion } } } },
            mergePatch(options),
          )
          const { labels, annotations } = body.metadata!
          await core.patchNode(
            { name: hostname, body: { metadata: { labels, annotations } } },
            mergePatch(options),
          )
        }
      })
    },

    async mirrorStaticPods(node) {
      const { hostname, pods } = parsed(staticPodsSchema, node, 'Cannot mirror the static pods')
      for (const { component, image, configVersion } of pods) {
        const name = `${component}-${hostname}`
        const annotations = { [configVersionAnnotation]: configVersion }
        await callKubeApi({ server, what: `mirror the static pod ${name}` }, async (options) => {
          try {
            await core.createNamespacedPod(
              {
                namespace: 'kube-system',
                body: {
                  metadata: {
                    name,
                    namespace: 'kube-system',
                    labels: { 'k8s-app': component, tier: 'control-plane' },
                    annotations: { ...annotations, [mirrorAnnotation]: configVersion },
                  },
                  spec: {
                    nodeName: hostname,
                    hostNetwork: true,
                    priorityClassName: 'system-cluster-critical',
                    containers: [{ name: component, image }],
                    tolerations: [{ operator: 'Exists' }],
                  },
                },
              },
              options,
            )
          } catch (error) {
            if (!(error instanceof ApiException && error.code === 409)) throw error
            // The kubelet updates its mirror in place: the image is a field a Pod may change.
            await core.patchNamespacedPod(
              {
                name,
                namespace: 'kube-system',
                body: { metadata: { annotations }, spec: { containers: [{ name: component, image }] } },
              },
              setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch, options),
            )
          }
        })
      }
    },

    async createObjects(manifests) {
      for (const manifest of parsed(manifestsSchema, manifests, 'Cannot create the manifests')) {
        const what = `create ${manifest.kind} ${manifest.metadata.namespace ?? ''}/${manifest.metadata.name}`
        await callKubeApi({ server, what }, async () => {
          try {
            await objects.create(manifest as KubernetesObject)
          } catch (error) {
            if (!(error instanceof ApiException && error.code === 409)) throw error
          }
        })
      }
    },

    async leaveNode(hostname) {
      const name = parsed(nodeName, hostname, 'Cannot remove the node')
      await callKubeApi({ server, what: `remove node ${name}` }, async (options) => {
        try {
          await core.deleteNode({ name }, options)
        } catch (error) {
          if (!(error instanceof ApiException && error.code === 404)) throw error
        }
      })
    },

    async listNodes() {
      return callKubeApi({ server, what: 'list the nodes' }, async (options) => {
        const list = await core.listNode({}, options)
        // As kubectl prints them: plain JSON, dates as strings.
        return list.items.map((item) => JSON.parse(JSON.stringify(item)) as unknown)
      })
    },
  }
}
