// Vitest globalSetup for the peers project: one loopback cluster for the whole run, torn down at
// its end. Where scripts/peers.sh could not build the peers (no Go), the tests learn why and
// report themselves skipped.
import type { TestProject } from 'vitest/node'
import { clusterPeers, startLoopbackCluster } from '../../support/loopback-cluster.ts'
import { findPeers } from '../../support/peers.ts'

export interface ProvidedCluster {
  /** Why the peers tests cannot run here; unset when the cluster is up. */
  skip?: string
  kubeconfigPath: string
  /** The cluster's etcd client URL (http://127.0.0.1:port). */
  etcdEndpoint: string
  helm: string
  kubernetesVersion: string
  nodeNames: string[]
}

declare module 'vitest' {
  export interface ProvidedContext {
    loopbackCluster: ProvidedCluster
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const peers = findPeers([...clusterPeers, 'helm'])
  if (!peers.ok) {
    console.warn(`peers: skipping the loopback cluster tests: ${peers.reason}`)
    project.provide('loopbackCluster', {
      skip: peers.reason,
      kubeconfigPath: '',
      etcdEndpoint: '',
      helm: '',
      kubernetesVersion: '',
      nodeNames: [],
    })
    return undefined
  }
  const started = Date.now()
  const cluster = await startLoopbackCluster({
    binaries: peers.binaries,
    kubernetesVersion: peers.kubernetesVersion,
    nodes: 2,
  })
  console.log(
    `peers: loopback cluster ${peers.kubernetesVersion} up in ${Math.round((Date.now() - started) / 1000)}s`,
  )
  project.provide('loopbackCluster', {
    kubeconfigPath: cluster.kubeconfigPath,
    etcdEndpoint: cluster.etcdEndpoint,
    helm: peers.binaries.helm,
    kubernetesVersion: peers.kubernetesVersion,
    nodeNames: cluster.nodeNames,
  })
  return () => cluster.stop()
}
