import { describe, expect, it } from 'vitest'
import { parseMachineConfig } from './machine-config.ts'

const ca = { crt: Buffer.from('-----BEGIN CERTIFICATE-----').toString('base64'), key: 'a2V5' }

function v1alpha1(type: string, extra = '', key = ca.key): string {
  return [
    'version: v1alpha1',
    'machine:',
    `  type: ${type}`,
    '  ca:',
    `    crt: ${ca.crt}`,
    `    key: "${key}"`,
    extra,
    'cluster:',
    '  id: cluster-id-1',
    '  clusterName: lab',
    '  controlPlane:',
    '    endpoint: https://127.0.0.11:6443',
  ].join('\n')
}

describe('parseMachineConfig', () => {
  it('reads the node’s role, cluster and host name from a multi-document config', () => {
    const raw = `${v1alpha1('controlplane')}\n---\napiVersion: v1alpha1\nkind: HostnameConfig\nauto: off\nhostname: cp1\n`
    expect(parseMachineConfig(raw)).toMatchObject({
      type: 'controlplane',
      hostname: 'cp1',
      clusterId: 'cluster-id-1',
      clusterName: 'lab',
      controlPlaneEndpoint: 'https://127.0.0.11:6443',
      ca,
    })
  })

  it('takes the legacy machine.network.hostname when there is no HostnameConfig', () => {
    const config = parseMachineConfig(v1alpha1('worker', '  network:\n    hostname: w1', ''))
    expect(config).toMatchObject({ type: 'worker', hostname: 'w1', ca: { key: '' } })
  })

  it('says what is wrong, as Talos does', () => {
    expect(() => parseMachineConfig('machine: [')).toThrow(/^failed to parse config: /)
    expect(() => parseMachineConfig('apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: x\n')).toThrow(
      "doesn't contain v1alpha1 config",
    )
    expect(() => parseMachineConfig(v1alpha1('router'))).toThrow(
      'configuration validation failed: 1 error occurred:\n\t* unknown machine type "router"',
    )
    expect(() => parseMachineConfig(v1alpha1('controlplane', '', ''))).toThrow(
      'machine.ca.key is required on a control plane',
    )
    expect(() => parseMachineConfig('version: v1alpha1\nmachine:\n  type: worker\n')).toThrow(
      /machine\.ca is required\n\t\* cluster is required$/,
    )
    expect(() => parseMachineConfig('')).toThrow('the document is empty')
  })

  it('reads the Kubernetes images the config names, each optional', () => {
    const kubernetes = ['  kubelet:', '    image: ghcr.io/siderolabs/kubelet:v1.34.1'].join('\n')
    const cluster = [
      '  apiServer:',
      '    image: registry.k8s.io/kube-apiserver:v1.34.1',
      '  scheduler:',
      '    image: registry.k8s.io/kube-scheduler:v1.34.1',
      '  proxy:',
      '    image: registry.k8s.io/kube-proxy:v1.34.1',
    ].join('\n')
    expect(parseMachineConfig(`${v1alpha1('controlplane', kubernetes)}\n${cluster}\n`).images).toEqual({
      kubelet: 'ghcr.io/siderolabs/kubelet:v1.34.1',
      'kube-apiserver': 'registry.k8s.io/kube-apiserver:v1.34.1',
      'kube-controller-manager': undefined,
      'kube-scheduler': 'registry.k8s.io/kube-scheduler:v1.34.1',
      'kube-proxy': 'registry.k8s.io/kube-proxy:v1.34.1',
    })
    expect(parseMachineConfig(v1alpha1('worker', '', '')).images.kubelet).toBeUndefined()
  })
})
