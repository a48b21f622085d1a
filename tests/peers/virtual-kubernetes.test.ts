// The Kubernetes backend of virtual control planes (src-main/kube/virtual-kubernetes.ts) on the
// loopback cluster: the kubeconfig talosctl would hand out, nodes joining as a kubelet registers
// them and leaving when reset, a control plane's static pod mirrors and bootstrap manifests. Skipped, with the reason, where scripts/peers.sh could not build the peers.
import { randomBytes } from 'node:crypto'
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node'
import { parse } from 'yaml'
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { listNodeReadiness } from '../../src-main/kube/kube-nodes.ts'
import { loopbackBackends } from '../../src-main/virtual-talos/loopback-backends.ts'
import type { VirtualKubernetes } from '../../src-main/virtual-talos/virtual-talos-backends.ts'
import { rejection } from '../support/app-error.ts'
import { makeNodeNotReady } from '../support/loopback-cluster.ts'

const cluster = inject('loopbackCluster')
const skip = cluster.skip

describe.skipIf(skip !== undefined)(
  `virtual control planes' Kubernetes${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    const kubeConfig = new KubeConfig()
    let core: CoreV1Api
    let kubernetes: VirtualKubernetes
    const suffix = randomBytes(3).toString('hex')
    const controlPlane = `talos-cp-${suffix}`
    const worker = `talos-worker-${suffix}`

    const readinessOf = async (kubeconfig: string, name: string) =>
      (await listNodeReadiness(kubeconfig)).find((node) => node.name === name)

    beforeAll(async () => {
      kubeConfig.loadFromFile(cluster.kubeconfigPath)
      core = kubeConfig.makeApiClient(CoreV1Api)
      kubernetes = (await loopbackBackends({ kubeconfigPath: cluster.kubeconfigPath })).kubernetes!
    })

    const configMap = `talos-manifest-${suffix}`

    afterAll(async () => {
      for (const name of [controlPlane, worker]) await core.deleteNode({ name }).catch(() => undefined)
      for (const component of ['kube-apiserver', 'kube-scheduler'])
        await core
          .deleteNamespacedPod({ name: `${component}-${controlPlane}`, namespace: 'kube-system' })
          .catch(() => undefined)
      await core.deleteNamespacedConfigMap({ name: configMap, namespace: 'default' }).catch(() => undefined)
    })

    it('hands out a self-contained kubeconfig named for the cluster, with the admin credentials', async () => {
      const yaml = await kubernetes.kubeconfigFor('homelab')
      const config = parse(yaml)
      expect(config['current-context']).toBe('admin@homelab')
      expect(config.contexts).toEqual([
        { name: 'admin@homelab', context: { cluster: 'homelab', user: 'admin@homelab' } },
      ])
      expect(config.clusters[0].name).toBe('homelab')
      expect(config.clusters[0].cluster.server).toBe(kubeConfig.getCurrentCluster()?.server)
      // Embedded, not paths into the loopback cluster's folder: the app seals and hands it out.
      expect(yaml).not.toContain(cluster.kubeconfigPath.replace(/kubeconfig\.yaml$/, ''))
      expect(Object.keys(config.users[0].user).sort()).toEqual(['client-certificate-data', 'client-key-data'])
      expect((await listNodeReadiness(yaml)).map((node) => node.name)).toEqual(
        expect.arrayContaining(cluster.nodeNames),
      )
    })

    it('a configured control plane joins as a Ready Node labelled as Talos labels it', async () => {
      await kubernetes.joinNode({
        hostname: controlPlane,
        role: 'control-plane',
        address: '127.0.0.11',
        talosVersion: 'v1.12.0',
      })
      const yaml = await kubernetes.kubeconfigFor('homelab')
      await vi.waitFor(async () => expect((await readinessOf(yaml, controlPlane))?.ready).toBe(true), {
        timeout: 60_000,
        interval: 500,
      })
      const node = await core.readNode({ name: controlPlane })
      expect(node.metadata?.labels).toMatchObject({
        'kubernetes.io/hostname': controlPlane,
        'node-role.kubernetes.io/control-plane': '',
      })
      expect(node.status?.addresses).toContainEqual({ type: 'InternalIP', address: '127.0.0.11' })
      expect(node.status?.nodeInfo?.osImage).toBe('Talos (v1.12.0)')
    })

    it('joining again (after a reboot or an upgrade) updates the Node and makes it Ready again', async () => {
      const yaml = await kubernetes.kubeconfigFor('homelab')
      await makeNodeNotReady(kubeConfig, controlPlane)
      expect((await readinessOf(yaml, controlPlane))?.ready).toBe(false)
      await kubernetes.joinNode({
        hostname: controlPlane,
        role: 'control-plane',
        address: '127.0.0.11',
        talosVersion: 'v1.12.1',
      })
      await vi.waitFor(async () => expect((await readinessOf(yaml, controlPlane))?.ready).toBe(true), {
        timeout: 60_000,
        interval: 500,
      })
      expect((await core.readNode({ name: controlPlane })).status?.nodeInfo?.osImage).toBe('Talos (v1.12.1)')
    })

    it('mirrors a control plane’s static pods, updating their image and config version in place', async () => {
      const pods = (version: string, configVersion: string) =>
        ['kube-apiserver', 'kube-scheduler'].map((component) => ({
          component,
          image: `registry.k8s.io/${component}:${version}`,
          configVersion,
        }))
      await kubernetes.mirrorStaticPods({ hostname: controlPlane, pods: pods('v1.34.1', '1') })
      await kubernetes.mirrorStaticPods({ hostname: controlPlane, pods: pods('v1.35.0', '2') })
      const read = () =>
        core.readNamespacedPod({ name: `kube-apiserver-${controlPlane}`, namespace: 'kube-system' })
      const pod = await read()
      expect(pod.metadata?.labels).toMatchObject({ 'k8s-app': 'kube-apiserver', tier: 'control-plane' })
      expect(pod.metadata?.annotations?.['talos.dev/config-version']).toBe('2')
      expect(pod.spec?.nodeName).toBe(controlPlane)
      expect(pod.spec?.containers.map((container) => container.image)).toEqual([
        'registry.k8s.io/kube-apiserver:v1.35.0',
      ])
      // kwok runs it on the node: Ready, on the node's address, which is what upgrade-k8s waits for.
      await vi.waitFor(
        async () => {
          const { status } = await read()
          expect(status?.hostIP).toBe('127.0.0.11')
          expect(status?.conditions).toContainEqual(
            expect.objectContaining({ type: 'Ready', status: 'True' }),
          )
        },
        { timeout: 30_000, interval: 500 },
      )
    })

    it('creates a manifest’s objects once and leaves them as they are after; refuses one without a name', async () => {
      const object = (value: string) => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: configMap, namespace: 'default' },
        data: { value },
      })
      await kubernetes.createObjects([object('first')])
      await kubernetes.createObjects([object('second')])
      expect((await core.readNamespacedConfigMap({ name: configMap, namespace: 'default' })).data).toEqual({
        value: 'first',
      })
      const error = await rejection(
        kubernetes.createObjects([
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default' } },
        ]),
      )
      expect(error.code).toBe('invalid_input')
      expect(error.message).toContain('metadata.name')
    })

    it('a worker joins without the control-plane role; a reset node leaves, twice without complaint', async () => {
      await kubernetes.joinNode({
        hostname: worker,
        role: 'worker',
        address: '127.0.0.12',
        talosVersion: 'v1.12.0',
      })
      const node = await core.readNode({ name: worker })
      expect(node.metadata?.labels?.['node-role.kubernetes.io/control-plane']).toBeUndefined()

      await kubernetes.leaveNode(worker)
      await kubernetes.leaveNode(worker)
      const names = (await core.listNode()).items.map((item) => item.metadata?.name)
      expect(names).not.toContain(worker)
      expect(names).toContain(controlPlane)
    })

    it('refuses a host name that cannot name a Node, changing nothing', async () => {
      const before = (await core.listNode()).items.length
      const error = await rejection(
        kubernetes.joinNode({
          hostname: 'Talos CP',
          role: 'worker',
          address: '127.0.0.13',
          talosVersion: 'v1.12.0',
        }),
      )
      expect(error.code).toBe('invalid_input')
      expect(error.message).toContain('hostname')
      expect((await core.listNode()).items.length).toBe(before)
    })
  },
)
