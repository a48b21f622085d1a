// The Kubernetes upgrade of a Talos cluster on the virtual board, as a user runs it with the real
// talosctl: `clusterdeck upgrade lab --kubernetes` runs `talosctl upgrade-k8s`, which reads each
// node's resources through the Talos API, patches their machine configs and waits until the
// loopback Kubernetes shows the control-plane static pods and every kubelet at the new version.
// Kubernetes 1.34 → 1.35: the newest step the peers' talosctl v1.12.0 knows (docs/upgrades.md).
// Skipped where the peers are not built.
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { loadKubeconfig } from '../../src-main/kube/kubeconfig.ts'
import { findPeers } from '../support/peers.ts'
import { runCli } from '../support/run-cli.ts'
import { deployTalosLab, type TalosLab } from './support/talos-lab.ts'

const cluster = inject('loopbackCluster')
const peers = findPeers(['talosctl'])
const skip = cluster.skip ?? (peers.ok ? undefined : peers.reason)
const hostnames = ['turing-cp1', 'turing-w1', 'turing-w2', 'turing-w3']

let lab: TalosLab
let core: CoreV1Api
let apps: AppsV1Api

/**
 * What the loopback Kubernetes reports: each node's kubelet, the control plane's static pod images
 * and kube-proxy's DaemonSet image.
 */
async function reported() {
  const nodes = await core.listNode()
  const pods = await core.listNamespacedPod({ namespace: 'kube-system' })
  const proxy = await apps
    .readNamespacedDaemonSet({ name: 'kube-proxy', namespace: 'kube-system' })
    .catch(() => undefined)
  return {
    proxy: proxy?.spec?.template.spec?.containers[0]?.image,
    kubelets: hostnames.map(
      (name) => nodes.items.find((node) => node.metadata?.name === name)?.status?.nodeInfo?.kubeletVersion,
    ),
    controlPlane: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].map(
      (component) =>
        pods.items.find((pod) => pod.metadata?.name === `${component}-turing-cp1`)?.spec?.containers[0]
          ?.image,
    ),
  }
}

describe.skipIf(skip)(
  `Kubernetes upgrade of a virtual Talos cluster${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    beforeAll(async () => {
      const path = cluster.kubeconfigPath
      const { kubeConfig } = loadKubeconfig(readFileSync(path, 'utf8'), path)
      core = kubeConfig.makeApiClient(CoreV1Api)
      apps = kubeConfig.makeApiClient(AppsV1Api)
      // The loopback API is shared by every virtual cluster of the run, and a control plane creates
      // kube-proxy's DaemonSet only where there is none (as Talos does): one left by an earlier
      // test's cluster, at another version, would stand in for this cluster's.
      await apps
        .deleteNamespacedDaemonSet({ name: 'kube-proxy', namespace: 'kube-system' })
        .catch(() => undefined)
      lab = await deployTalosLab({
        cluster,
        tools: { talosctl: peers.ok ? peers.binaries.talosctl : '' },
        kubernetes: '1.34.1',
      })
    }, 240_000)

    afterAll(async () => {
      await lab?.close()
    })

    it('moves the control plane and every kubelet to the next Kubernetes minor through talosctl upgrade-k8s', async () => {
      const { env } = lab
      await expect.poll(reported, { timeout: 20_000 }).toEqual({
        proxy: 'registry.k8s.io/kube-proxy:v1.34.1',
        kubelets: ['v1.34.1', 'v1.34.1', 'v1.34.1', 'v1.34.1'],
        controlPlane: [
          'registry.k8s.io/kube-apiserver:v1.34.1',
          'registry.k8s.io/kube-controller-manager:v1.34.1',
          'registry.k8s.io/kube-scheduler:v1.34.1',
        ],
      })

      const dryRun = await runCli(
        ['upgrade', 'lab', '--talos', 'v1.12.0', '--kubernetes', 'v1.35.0', '--dry-run'],
        { env },
      )
      expect(dryRun.code, dryRun.stderr).toBe(0)
      expect(dryRun.stdout).toMatch(/upgrade:kubernetes\s+Upgrade Kubernetes to v1\.35\.0\s+← /)

      const upgraded = await runCli(['upgrade', 'lab', '--talos', 'v1.12.0', '--kubernetes', 'v1.35.0'], {
        env,
      })
      expect(upgraded.code, upgraded.stdout + upgraded.stderr).toBe(0)
      expect(upgraded.stdout).toMatch(
        /✓ Upgrade Kubernetes to v1\.35\.0 — Kubernetes upgraded to v1\.35\.0 through turing-cp1/,
      )
      expect(await reported()).toEqual({
        proxy: 'registry.k8s.io/kube-proxy:v1.35.0',
        kubelets: ['v1.35.0', 'v1.35.0', 'v1.35.0', 'v1.35.0'],
        controlPlane: [
          'registry.k8s.io/kube-apiserver:v1.35.0',
          'registry.k8s.io/kube-controller-manager:v1.35.0',
          'registry.k8s.io/kube-scheduler:v1.35.0',
        ],
      })
      expect(lab.record().versions.kubernetes).toBe('v1.35.0')
    })

    it('fails the step with talosctl’s refusal of a version it cannot upgrade to, changing nothing', async () => {
      const before = await reported()
      // 1.35 → 1.36 is one minor, so Clusterdeck's own skew check lets it through; talosctl v1.12.0
      // knows no upgrade path beyond 1.35.
      const refused = await runCli(['upgrade', 'lab', '--talos', 'v1.12.0', '--kubernetes', 'v1.36.0'], {
        env: lab.env,
      })
      expect(refused.code).not.toBe(0)
      expect(refused.stdout).toMatch(
        /✗ Upgrade Kubernetes to v1\.36\.0[\s\S]*unsupported upgrade path 1\.35->1\.36/,
      )
      expect(await reported()).toEqual(before)
      expect(lab.record().versions.kubernetes).toBe('v1.35.0')
    })
  },
)
