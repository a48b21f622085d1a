import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { makeTempDir } from '../../tests/support/temp-dir.ts'
import { loopbackKubernetes } from './virtual-kubernetes.ts'

const dir = makeTempDir()
afterAll(() => dir.remove())

// As kwokctl writes it: certificates as files beside the kubeconfig, paths relative to it here.
const kubeconfigPath = join(dir.path, 'kubeconfig.yaml')
writeFileSync(
  kubeconfigPath,
  stringify({
    clusters: [
      { name: 'kwok', cluster: { server: 'https://127.0.0.1:32764', 'certificate-authority': 'ca.crt' } },
    ],
    users: [{ name: 'kwok', user: { 'client-certificate': 'admin.crt', 'client-key': 'admin.key' } }],
    contexts: [{ name: 'kwok', context: { cluster: 'kwok', user: 'kwok' } }],
    'current-context': 'kwok',
  }),
)
const files = { 'ca.crt': 'CA PEM', 'admin.crt': 'CERT PEM', 'admin.key': 'KEY PEM' }
for (const [name, text] of Object.entries(files)) writeFileSync(join(dir.path, name), text)
const base64 = (text: string) => Buffer.from(text).toString('base64')

describe('loopbackKubernetes.kubeconfigFor', () => {
  it('renames everything for the cluster and embeds the files it names', async () => {
    const config = parse(await loopbackKubernetes(kubeconfigPath).kubeconfigFor('home lab'))
    expect(config).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'home lab',
          cluster: { server: 'https://127.0.0.1:32764', 'certificate-authority-data': base64('CA PEM') },
        },
      ],
      users: [
        {
          name: 'admin@home lab',
          user: { 'client-certificate-data': base64('CERT PEM'), 'client-key-data': base64('KEY PEM') },
        },
      ],
      contexts: [{ name: 'admin@home lab', context: { cluster: 'home lab', user: 'admin@home lab' } }],
      'current-context': 'admin@home lab',
    })
  })

  it('refuses an empty cluster name', async () => {
    await expect(loopbackKubernetes(kubeconfigPath).kubeconfigFor(' ')).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('the cluster name is empty'),
    })
  })

  it('says the loopback cluster may be gone when its files are', async () => {
    const kubernetes = loopbackKubernetes(kubeconfigPath)
    rmSync(join(dir.path, 'admin.key'))
    await expect(kubernetes.kubeconfigFor('lab')).rejects.toMatchObject({
      code: 'network_unreachable',
      message: `The loopback cluster's ${join(dir.path, 'admin.key')} cannot be read (ENOENT).`,
    })
  })
})
