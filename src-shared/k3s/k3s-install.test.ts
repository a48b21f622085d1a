import { describe, expect, it } from 'vitest'
import { profileFromTemplate } from '../profiles/profile-templates.ts'
import { clusterProfileSchema, type ClusterProfile } from '../profiles/profile-schema.ts'
import { k3sNodeInstall, k3sServerUrl, parseK3sToken } from './k3s-install.ts'

const token = `K10${'ab'.repeat(32)}::server:s3cr3t-$(id)`
const template = () => profileFromTemplate('k3s-rk1-armbian', { name: 'lab', board: 'tp1' })

function withNodes(profile: ClusterProfile, roles: ('control-plane' | 'worker')[]): ClusterProfile {
  return clusterProfileSchema.parse({
    ...profile,
    nodes: profile.nodes.map((node, i) => ({ ...node, role: roles[i] })),
  })
}

/** Every command line the install would run, joined: what `ps` on the node could show. */
const commandLines = (install: ReturnType<typeof k3sNodeInstall>) =>
  install.actions
    .flatMap((a) => [a.check, ...a.apply])
    .map((c) => c.command)
    .join('\n')

describe('k3s server install', () => {
  it('writes the profile’s options to config.yaml for the template’s single server', () => {
    const install = k3sNodeInstall(template(), 'turing-cp1')
    expect(install.role).toBe('first-server')
    expect(install.unit).toBe('k3s')
    expect(install.config).toBe(
      [
        '# Written by Clusterdeck from the cluster profile; a re-run replaces it.',
        'node-name: "turing-cp1"',
        'node-ip: "10.10.88.73"',
        'write-kubeconfig-mode: "0600"',
        'cluster-cidr: "10.42.0.0/16"',
        'service-cidr: "10.43.0.0/16"',
        'cluster-dns: "10.43.0.10"',
        'tls-san:',
        '  - "10.10.88.73"',
        'disable:',
        '  - "traefik"',
        '  - "servicelb"',
        '  - "local-storage"',
        '',
      ].join('\n'),
    )
    // One server: SQLite, no embedded etcd.
    expect(install.config).not.toContain('cluster-init')
    const run = install.actions.find((a) => a.id === 'k3s-install')!
    expect(run.apply.map((c) => c.command)).toContain(
      'env INSTALL_K3S_VERSION=v1.36.4+k3s1 INSTALL_K3S_EXEC=server INSTALL_K3S_SKIP_START=true sh /var/lib/clusterdeck/k3s-install.sh',
    )
    expect(commandLines(install)).toContain(
      'https://raw.githubusercontent.com/k3s-io/k3s/v1.36.4%2Bk3s1/install.sh',
    )
  })

  it('is already done when version, unit and config.yaml match: the check compares the file on the node', () => {
    const install = k3sNodeInstall(template(), 'turing-cp1')
    const check = install.actions.find((a) => a.id === 'k3s-install')!.check
    expect(check.command).toBe(
      "k3s --version 2>/dev/null | head -n 1 | grep -qF 'k3s version v1.36.4+k3s1 ' && systemctl is-enabled --quiet k3s && cmp -s /etc/rancher/k3s/config.yaml -",
    )
    expect(check.stdin).toBe(install.config)
  })

  it('adds the VIP as a SAN, starts etcd on the first of three servers and joins the others to it', () => {
    const ha = clusterProfileSchema.parse({
      ...withNodes(template(), ['control-plane', 'control-plane', 'control-plane', 'worker']),
      network: { ...template().network, vip: '10.10.88.70', apiEndpoint: '10.10.88.70' },
    })
    const first = k3sNodeInstall(ha, 'turing-cp1')
    expect(first.config).toContain('cluster-init: true')
    expect(first.config).toContain('tls-san:\n  - "10.10.88.70"\n')
    const second = k3sNodeInstall(ha, 'turing-w1', { token })
    expect(second.role).toBe('server')
    expect(second.config).not.toContain('cluster-init')
    // Critical values identical on every server (K3s refuses a mismatch).
    expect(second.config.replace(/node-(name|ip).*\n/g, '')).toBe(
      first.config.replace(/node-(name|ip).*\n/g, '').replace('cluster-init: true\n', ''),
    )
    // The join goes to the first server itself, not to a VIP nothing serves yet.
    expect(commandLines(second)).toContain('K3S_URL=https://10.10.88.73:6443')
  })

  it('keeps the packaged components whose add-on is off', () => {
    const profile = clusterProfileSchema.parse({
      ...template(),
      addons: {
        ...template().addons,
        traefik: { enabled: false },
        metallb: { enabled: false },
        longhorn: { enabled: false, replicaCount: 2 },
      },
    })
    expect(k3sNodeInstall(profile, 'turing-cp1').config).not.toContain('disable')
  })
})

describe('k3s first server of a restore', () => {
  it('takes the original token from a file, and is installed without starting', () => {
    const install = k3sNodeInstall(template(), 'turing-cp1', { token }, { start: false })
    expect(install.role).toBe('first-server')
    expect(commandLines(install)).not.toContain('s3cr3t')
    const tokenAction = install.actions.find((a) => a.id === 'k3s-token')!
    expect(tokenAction.apply).toHaveLength(1)
    expect(tokenAction.apply[0]).toMatchObject({ stdin: `${token}\n`, secretStdin: true })
    const run = install.actions.find((a) => a.id === 'k3s-install')!.apply.map((c) => c.command)
    expect(run).toContain(
      'env INSTALL_K3S_VERSION=v1.36.4+k3s1 INSTALL_K3S_EXEC=server INSTALL_K3S_SKIP_START=true K3S_TOKEN_FILE=/etc/rancher/k3s/cluster-token sh /var/lib/clusterdeck/k3s-install.sh',
    )
    expect(run.join('\n')).not.toMatch(/systemctl (re)?start|K3S_URL/)
    expect(k3sNodeInstall(template(), 'turing-cp1').actions.at(-1)!.apply.at(-1)!.command).toBe(
      'systemctl restart --no-block k3s',
    )
  })
})

describe('k3s agent join', () => {
  it('passes the token only on stdin, marked secret, and names the file in K3S_TOKEN_FILE', () => {
    const install = k3sNodeInstall(template(), 'turing-w2', { token: `${token}\n` })
    expect(install.role).toBe('agent')
    expect(install.unit).toBe('k3s-agent')
    expect(install.config).toBe(
      '# Written by Clusterdeck from the cluster profile; a re-run replaces it.\nnode-name: "turing-w2"\nnode-ip: "10.10.88.75"\n',
    )
    expect(commandLines(install)).not.toContain('s3cr3t')
    expect(install.config).not.toContain('s3cr3t')
    const tokenAction = install.actions.find((a) => a.id === 'k3s-token')!
    for (const command of [tokenAction.check, tokenAction.apply[0]!]) {
      expect(command.stdin).toBe(`${token}\n`)
      expect(command.secretStdin).toBe(true)
    }
    expect(commandLines(install)).toContain(
      'env INSTALL_K3S_VERSION=v1.36.4+k3s1 INSTALL_K3S_EXEC=agent INSTALL_K3S_SKIP_START=true K3S_URL=https://10.10.88.73:6443 K3S_TOKEN_FILE=/etc/rancher/k3s/cluster-token sh /var/lib/clusterdeck/k3s-install.sh',
    )
  })

  it('joins the first server where the run reached it when that is not its profile address', () => {
    const install = k3sNodeInstall(template(), 'turing-w1', { token, serverAddress: '127.0.0.11' })
    expect(commandLines(install)).toContain('K3S_URL=https://127.0.0.11:6443')
    expect(() => k3sNodeInstall(template(), 'turing-w1', { token, serverAddress: 'cp1.lab' })).toThrow(
      /turing-cp1's address "cp1.lab" is not an IPv4 address/,
    )
  })

  it('refuses a token that is not in the secure format without quoting it', () => {
    expect(() => parseK3sToken('short-token-hunter2')).toThrow(/K10<CA hash>/)
    try {
      parseK3sToken('short-token-hunter2')
    } catch (error) {
      expect(String(error)).not.toContain('hunter2')
    }
    expect(() => k3sNodeInstall(template(), 'turing-w1')).toThrow(/token/)
  })
})

describe('profile values that cannot reach a command', () => {
  it('refuses a node address that is not an IPv4 address, naming it', () => {
    const profile = template()
    const bad = clusterProfileSchema.parse({
      ...profile,
      nodes: profile.nodes.map((n, i) => (i === 0 ? { ...n, address: "10.0.0.1'; reboot #" } : n)),
    })
    expect(() => k3sNodeInstall(bad, 'turing-cp1')).toThrow(/turing-cp1's address .* is not an IPv4 address/)
    expect(() => k3sServerUrl(bad)).toThrow(/not an IPv4 address/)
  })

  it('refuses an API endpoint that is neither an address nor a DNS name', () => {
    const profile = template()
    const bad = clusterProfileSchema.parse({
      ...profile,
      network: { ...profile.network, apiEndpoint: 'k8s.lab\n- "evil"' },
    })
    expect(() => k3sNodeInstall(bad, 'turing-cp1')).toThrow(/neither an IPv4 address nor a DNS name/)
  })

  it('refuses a profile without a K3s version', () => {
    const profile = clusterProfileSchema.parse({ ...template(), versions: {} })
    expect(() => k3sNodeInstall(profile, 'turing-cp1')).toThrow(
      expect.objectContaining({ code: 'invalid_input', hint: expect.stringMatching(/versions\.k3s/) }),
    )
  })
})
