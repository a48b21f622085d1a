// The app's node-readiness reader (src-main/kube/kube-nodes.ts) against the loopback cluster: Ready
// nodes, a node whose kubelet reports NotReady, an API server that is not there, and kubeconfigs
// that are not usable. Skipped, with the reason, where scripts/peers.sh could not build the peers.
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { listNodeReadiness } from '../../src-main/kube/kube-nodes.ts'
import { createSelfSignedCertificate } from '../../src-main/virtual-board/certificate.ts'
import { rejection } from '../support/app-error.ts'
import { closedPort } from '../support/closed-port.ts'
import { addSimulatedNode, makeNodeNotReady } from '../support/loopback-cluster.ts'

const cluster = inject('loopbackCluster')
const skip = cluster.skip

describe.skipIf(skip !== undefined)(`node readiness${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const kubeConfig = new KubeConfig()
  let kubeconfigYaml: string
  const added: string[] = []

  beforeAll(() => {
    kubeconfigYaml = readFileSync(cluster.kubeconfigPath, 'utf8')
    kubeConfig.loadFromFile(cluster.kubeconfigPath)
  })

  afterAll(async () => {
    const core = kubeConfig.makeApiClient(CoreV1Api)
    for (const name of added) await core.deleteNode({ name }).catch(() => undefined)
  })

  it('lists the Ready nodes with no reason', async () => {
    const nodes = await listNodeReadiness(kubeconfigYaml)
    for (const name of cluster.nodeNames) expect(nodes).toContainEqual({ name, ready: true, reason: '' })
  })

  it('reports a node whose kubelet says NotReady, with the reason from its Ready condition', async () => {
    const name = `readiness-${randomBytes(3).toString('hex')}`
    added.push(name)
    await addSimulatedNode(kubeConfig, name)
    const readiness = async () => (await listNodeReadiness(kubeconfigYaml)).find((node) => node.name === name)
    await vi.waitFor(async () => expect((await readiness())?.ready).toBe(true), {
      timeout: 60_000,
      interval: 500,
    })

    await makeNodeNotReady(kubeConfig, name)
    expect(await readiness()).toEqual({
      name,
      ready: false,
      reason: 'KubeletNotReady: node stopped by the test',
    })
  })

  it('names the server when nothing listens there', async () => {
    const port = await closedPort()
    const error = await rejection(
      listNodeReadiness(
        kubeconfigYaml.replace(/server: https:\/\/127\.0\.0\.1:\d+/, `server: https://127.0.0.1:${port}`),
      ),
    )
    expect(error.code).toBe('network_unreachable')
    expect(error.message).toContain(`https://127.0.0.1:${port}`)
    expect(error.message).toContain('ECONNREFUSED')
    expect(error.hint).toMatch(/control plane/)
  })

  it('stops when the caller cancels', async () => {
    const error = await rejection(listNodeReadiness(kubeconfigYaml, AbortSignal.abort()))
    expect(error.code).toBe('cancelled')
  })

  it('refuses a garbage kubeconfig without quoting it', async () => {
    // YAML's own message would quote the line, key and all.
    const garbage = await rejection(
      listNodeReadiness('users:\n- user:\n    client-key-data: "c2VjcmV0LWtleQ==\n'),
    )
    expect(garbage.code).toBe('invalid_input')
    expect(garbage.message).toMatch(/not valid YAML \(line \d+\)/)
    expect(garbage.message).not.toContain('c2VjcmV0LWtleQ')

    const notKubeconfig = await rejection(listNodeReadiness('just: a map\n'))
    expect(notKubeconfig.code).toBe('invalid_input')
    expect(notKubeconfig.message).toContain('clusters')
  })

  it("says so when the API server's certificate is not from the kubeconfig's certificate authority", async () => {
    const { cert } = await createSelfSignedCertificate()
    const otherCa = kubeconfigYaml.replace(
      /certificate-authority: .*/,
      `certificate-authority-data: ${Buffer.from(cert).toString('base64')}`,
    )
    const error = await rejection(listNodeReadiness(otherCa))
    expect(error.code).toBe('invalid_input')
    expect(error.message).toMatch(/https:\/\/127\.0\.0\.1:\d+ presented a certificate/)
  })
})
