import { describe, expect, it } from 'vitest'
import { clusterProfileSchema, type ClusterProfile } from './profile-schema.ts'
import { profileFromTemplate } from './profile-templates.ts'
import { hasErrors, validateProfile } from './validate-profile.ts'

const talos = () => profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })
const k3s = () => profileFromTemplate('k3s-rk1-armbian', { name: 'lab', board: 'rack-1' })

function edit(profile: ClusterProfile, change: (p: ClusterProfile) => void): ClusterProfile {
  const copy = structuredClone(profile)
  change(copy)
  return clusterProfileSchema.parse(copy)
}

function messages(profile: ClusterProfile, boardNames?: string[]) {
  return validateProfile(profile, boardNames ? { boardNames } : {})
    .filter((issue) => issue.severity === 'error')
    .map((issue) => `${issue.path}: ${issue.message}`)
}

describe('validateProfile', () => {
  it('accepts both templates as they are', () => {
    expect(messages(talos(), ['rack-1'])).toEqual([])
    expect(messages(k3s(), ['Rack-1'])).toEqual([])
  })

  it('takes a K3s profile’s node access with its defaults, and warns that Talos ignores it', () => {
    const profile = clusterProfileSchema.parse({ ...k3s(), nodeAccess: { user: 'admin' } })
    expect(profile.nodeAccess).toEqual({ user: 'admin', timezone: 'UTC', authorizedKeys: [] })
    expect(() =>
      clusterProfileSchema.parse({ ...k3s(), nodeAccess: { authorizedKeys: ['not a key'] } }),
    ).toThrow(/must be one OpenSSH public key line/)
    const warned = validateProfile(edit(talos(), (p) => (p.nodeAccess = profile.nodeAccess)))
    expect(warned).toContainEqual({
      path: 'nodeAccess',
      message: 'is ignored for a Talos profile: Talos nodes have no SSH login',
      severity: 'warning',
    })
  })

  it('finds duplicate host names, addresses and slots', () => {
    const profile = edit(talos(), (p) => {
      p.nodes[1]!.hostname = 'turing-cp1'
      p.nodes[2]!.address = '10.10.88.73'
      p.nodes[3]!.slot = 1
    })
    expect(messages(profile)).toEqual([
      'nodes[1].hostname: turing-cp1 is used twice (also nodes[0])',
      'nodes[2].address: 10.10.88.73 is already the address of turing-cp1',
      'nodes[3].slot: slot 1 of board "rack-1" is already node turing-cp1',
    ])
  })

  it('warns, without blocking, when another profile claims the same board slot (board names case-insensitive)', () => {
    const other = edit(k3s(), (p) => {
      p.name = 'lab-b'
      p.nodes = p.nodes.slice(0, 2)
      p.nodes[0]!.board = 'RACK-1'
      p.nodes[0]!.slot = 3
      p.nodes[1]!.board = 'rack-2'
    })
    const issues = validateProfile(talos(), { boardNames: ['rack-1', 'rack-2'], otherProfiles: [other] })
    expect(hasErrors(issues)).toBe(false)
    expect(issues.filter((issue) => issue.path.endsWith('.slot'))).toEqual([
      {
        path: 'nodes[2].slot',
        severity: 'warning',
        message: `slot 3 of board "rack-1" is also ${other.nodes[0]!.hostname} (control plane) of profile "lab-b": deploying one cluster overwrites the other's node`,
      },
    ])
  })

  it('finds addresses outside the node network, the gateway reused, and a missing board', () => {
    const profile = edit(talos(), (p) => {
      p.nodes[1]!.address = '10.10.89.5'
      p.nodes[2]!.address = '10.10.88.1'
      p.nodes[3]!.address = '10.10.88.255'
    })
    expect(messages(profile, ['other'])).toEqual([
      'nodes[0].board: no saved board is named "rack-1": add it on the Boards page or with clusterdeck board add',
      'nodes[1].address: 10.10.89.5 is outside the node network 10.10.88.0/24 (or is its network or broadcast address)',
      expect.stringContaining('nodes[1].board'),
      "nodes[2].address: 10.10.88.1 is the gateway's address",
      expect.stringContaining('nodes[2].board'),
      'nodes[3].address: 10.10.88.255 is outside the node network 10.10.88.0/24 (or is its network or broadcast address)',
      expect.stringContaining('nodes[3].board'),
    ])
  })

  it('refuses a cluster without a control plane, and an even number of etcd members', () => {
    expect(messages(edit(talos(), (p) => (p.nodes[0]!.role = 'worker')))).toEqual([
      'nodes: no node has the role control-plane: a cluster needs at least one',
      "network.apiEndpoint: 10.10.88.73 is neither a control-plane node's address nor the VIP",
    ])
    expect(messages(edit(talos(), (p) => (p.nodes[1]!.role = 'control-plane')))[0]).toMatch(
      /^nodes: 2 control-plane nodes make an even number of etcd members.*use 1, 3 or 5$/,
    )
  })

  it('keeps the MetalLB range inside the network and clear of nodes, gateway and VIP', () => {
    expect(messages(edit(talos(), (p) => (p.network.metallbRange = '10.10.88.70-10.10.88.79')))).toEqual([
      'network.metallbRange: 10.10.88.70-10.10.88.79 includes 10.10.88.73, the address of turing-cp1',
      'network.metallbRange: 10.10.88.70-10.10.88.79 includes 10.10.88.74, the address of turing-w1',
      'network.metallbRange: 10.10.88.70-10.10.88.79 includes 10.10.88.75, the address of turing-w2',
      'network.metallbRange: 10.10.88.70-10.10.88.79 includes 10.10.88.76, the address of turing-w3',
      'network.metallbRange: 10.10.88.70-10.10.88.79 includes 10.10.88.73, the API endpoint',
    ])
    expect(messages(edit(talos(), (p) => (p.network.metallbRange = '10.10.88.250-10.10.89.10')))).toEqual([
      'network.metallbRange: 10.10.88.250-10.10.89.10 is not inside the node network 10.10.88.0/24',
    ])
    expect(messages(edit(talos(), (p) => delete p.network.metallbRange))).toEqual([
      'network.metallbRange: MetalLB is enabled but has no address range, e.g. 10.10.88.80-10.10.88.89',
    ])
  })

  it('refuses pod and service networks that overlap each other or the node network', () => {
    expect(
      messages(
        edit(talos(), (p) => {
          p.network.podCidr = '10.10.0.0/16'
          p.network.serviceCidr = '10.10.88.0/26'
        }),
      ),
    ).toEqual([
      'network.podCidr: 10.10.0.0/16 overlaps the node network 10.10.88.0/24',
      'network.serviceCidr: 10.10.88.0/26 overlaps the node network 10.10.88.0/24',
      'network.serviceCidr: 10.10.88.0/26 overlaps the pod network 10.10.0.0/16',
    ])
  })

  it('checks the VIP and the API endpoint', () => {
    const withVip = edit(talos(), (p) => {
      p.network.vip = '10.10.88.72'
      p.network.apiEndpoint = '10.10.88.72'
    })
    expect(hasErrors(validateProfile(withVip))).toBe(false)
    expect(validateProfile(withVip).map((i) => i.path)).toContain('network.apiEndpoint')
    expect(messages(edit(talos(), (p) => (p.network.vip = '10.10.88.74')))).toEqual([
      'network.vip: 10.10.88.74 is already the address of turing-w1',
    ])
    expect(messages(edit(talos(), (p) => (p.network.apiEndpoint = '10.10.88.74')))).toEqual([
      "network.apiEndpoint: 10.10.88.74 is neither a control-plane node's address nor the VIP",
    ])
  })

  it('matches images and versions to the distribution', () => {
    expect(
      messages(
        edit(talos(), (p) => {
          p.image = { armbian: { distro: 'trixie', variant: 'minimal', branch: 'vendor' } }
          delete p.versions.talos
        }),
      ),
    ).toEqual([
      'versions.talos: a Talos profile needs a Talos version, e.g. v1.13.9',
      'image: an Armbian image cannot run Talos: choose a Talos Image Factory image',
    ])
    expect(
      messages(
        edit(talos(), (p) => (p.image = { talosFactory: { schematic: 'none', board: 'turing-rk1' } })),
      ),
    ).toEqual([
      'image: Longhorn needs the iscsi-tools and util-linux-tools extensions: use the longhorn schematic preset',
    ])
    expect(
      messages(
        edit(
          k3s(),
          (p) => (p.nodes[2]!.image = { talosFactory: { schematic: 'longhorn', board: 'turing-rk1' } }),
        ),
      ),
    ).toEqual(['nodes[2].image: a Talos image cannot run K3s: choose an Armbian image'])
  })

  it('warns about Talos mount points outside /var/mnt', () => {
    const issues = validateProfile(edit(talos(), (p) => (p.nodes[0]!.nvme!.mountPoint = '/var/lib/longhorn')))
    expect(issues).toEqual([
      {
        path: 'nodes[0].nvme.mountPoint',
        severity: 'warning',
        message: expect.stringMatching(/under \/var\/mnt\//),
      },
    ])
  })
})

describe('ingress controllers', () => {
  it('warns that ingress-nginx is retired, naming Traefik, and refuses both at once', () => {
    const legacy = edit(talos(), (p) => {
      p.addons.traefik.enabled = false
      p.addons.ingressNginx.enabled = true
    })
    expect(validateProfile(legacy)).toEqual([
      {
        path: 'addons.ingressNginx',
        severity: 'warning',
        message: expect.stringMatching(/retired upstream.*Choose Traefik instead/),
      },
    ])
    const both = edit(legacy, (p) => (p.addons.traefik.enabled = true))
    expect(messages(both)).toEqual([
      'addons.traefik: choose one ingress controller: both would claim the default ingress class',
    ])
  })

  it('reads a profile saved before Traefik as it was: ingress-nginx on, Traefik off, the volume size kept', () => {
    const before = Object.fromEntries(Object.entries(talos().addons).filter(([key]) => key !== 'traefik'))
    const old = clusterProfileSchema.parse({
      ...talos(),
      addons: {
        ...before,
        ingressNginx: { enabled: true },
        monitoring: { enabled: true, storageSize: '10Gi' },
      },
    })
    expect(old.addons.ingressNginx.enabled).toBe(true)
    expect(old.addons.traefik.enabled).toBe(false)
    expect(old.addons.monitoring.storageSize).toBe('10Gi')
  })
})

describe('clusterProfileSchema', () => {
  it('names the field of every structural mistake', () => {
    const result = clusterProfileSchema.safeParse({
      ...talos(),
      nodes: [{ ...talos().nodes[0], slot: 5, extra: 1 }],
    })
    expect(result.success).toBe(false)
    const paths = result.error!.issues.map((issue) => issue.path.join('.'))
    expect(paths).toEqual(expect.arrayContaining(['nodes.0.slot', 'nodes.0']))
  })
})
