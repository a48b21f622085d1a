import { describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { rewriteK3sKubeconfig } from './k3s-kubeconfig.ts'

// /etc/rancher/k3s/k3s.yaml as K3s writes it (the data shortened).
const k3sYaml = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t
    server: https://127.0.0.1:6443
  name: default
contexts:
- context:
    cluster: default
    user: default
  name: default
current-context: default
kind: Config
preferences: {}
users:
- name: default
  user:
    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t
    client-key-data: U0VDUkVUS0VZREFUQQ==
`
const target = { clusterName: 'lab', apiEndpoint: '10.10.88.73' }

describe('rewriteK3sKubeconfig', () => {
  it('keeps the server the file names when asked (a virtual node on the loopback API), renaming the rest', () => {
    const loopback = k3sYaml.replace('https://127.0.0.1:6443', 'https://127.0.0.1:41234')
    const config = rewriteK3sKubeconfig(parse(loopback), { ...target, keepServer: true })
    expect(config.clusters[0]).toMatchObject({ name: 'lab', cluster: { server: 'https://127.0.0.1:41234' } })
    expect(config['current-context']).toBe('lab')
  })

  it('points the server at the API endpoint and names cluster, user and context after the cluster', () => {
    const config = rewriteK3sKubeconfig(parse(k3sYaml), target)
    expect(config.clusters).toEqual([
      {
        name: 'lab',
        cluster: {
          'certificate-authority-data': 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t',
          server: 'https://10.10.88.73:6443',
        },
      },
    ])
    expect(config.users[0]!.name).toBe('lab')
    expect(config.users[0]!.user['client-key-data']).toBe('U0VDUkVUS0VZREFUQQ==')
    expect(config.contexts).toEqual([{ name: 'lab', context: { cluster: 'lab', user: 'lab' } }])
    expect(config['current-context']).toBe('lab')
    // Structural, not textual: no "default" survives anywhere, and the YAML reads back the same.
    expect(stringify(config)).not.toContain('default')
    expect(parse(stringify(config))).toEqual(config)
  })

  it('is the same when run again on its own output', () => {
    const once = rewriteK3sKubeconfig(parse(k3sYaml), target)
    expect(rewriteK3sKubeconfig(once, target)).toEqual(once)
  })

  it('names the field that is wrong, never a value from the file', () => {
    const broken = parse(
      k3sYaml.replace('client-key-data: U0VDUkVUS0VZREFUQQ==', 'client-key-data: "not base64 SECRET!"'),
    )
    expect(() => rewriteK3sKubeconfig(broken, target)).toThrow(
      /users\.0\.user\.client-key-data must be base64 data/,
    )
    try {
      rewriteK3sKubeconfig(broken, target)
    } catch (error) {
      expect(String(error)).not.toContain('SECRET')
    }
    const two = parse(k3sYaml)
    two.clusters.push(two.clusters[0])
    expect(() => rewriteK3sKubeconfig(two, target)).toThrow(/clusters must hold exactly one cluster/)
    const mismatched = parse(k3sYaml.replace('    user: default', '    user: other'))
    expect(() => rewriteK3sKubeconfig(mismatched, target)).toThrow(
      /does not name the file’s cluster and user/,
    )
    expect(() => rewriteK3sKubeconfig('<html>', target)).toThrow(/not as expected/)
  })

  it('refuses an API endpoint that would not make a URL', () => {
    expect(() => rewriteK3sKubeconfig(parse(k3sYaml), { ...target, apiEndpoint: 'evil.lab/@x' })).toThrow(
      /neither an IPv4 address nor a DNS name/,
    )
  })
})
