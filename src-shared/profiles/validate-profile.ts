// Everything about a profile that the schema alone cannot say: addresses that collide or fall
// outside the node network, ranges that overlap nodes, a control plane that cannot form a quorum,
// images that do not fit the distribution. Each problem names the field and what to do.
import { addonEntry } from '../addons/addon-catalogue.ts'
import {
  formatIpv4,
  isHostAddress,
  networkContains,
  networksOverlap,
  parseIpv4,
  parseIpv4Cidr,
  parseIpv4Range,
  rangeContains,
  type Ipv4Network,
} from '../net/ipv4.ts'
import type { ClusterProfile, ImageSource } from './profile-schema.ts'
import { otherClaims, slotConflictMessage } from './slot-claims.ts'

export interface ProfileIssue {
  /** Dotted path of the field, e.g. "nodes[2].address". */
  path: string
  message: string
  severity: 'error' | 'warning'
}

export interface ValidationContext {
  /** Names of the saved boards; when given, every node's board must be one of them. */
  boardNames?: readonly string[]
  /** The other saved profiles: a slot one of them claims too is a warning. */
  otherProfiles?: ReadonlyArray<Pick<ClusterProfile, 'name' | 'nodes'>>
}

export function validateProfile(profile: ClusterProfile, context: ValidationContext = {}): ProfileIssue[] {
  const issues: ProfileIssue[] = []
  const error = (path: string, message: string) => issues.push({ path, message, severity: 'error' })
  const warning = (path: string, message: string) => issues.push({ path, message, severity: 'warning' })
  const { network, nodes } = profile

  const nodeNet = parseIpv4Cidr(network.nodeCidr)
  if (!nodeNet)
    error('network.nodeCidr', `"${network.nodeCidr}" is not an IPv4 network such as 10.10.88.0/24`)

  /** Parses an address that must be a host of the node network; reports and returns null otherwise. */
  const hostAddress = (path: string, text: string): number | null => {
    const address = parseIpv4(text)
    if (address === null) {
      error(path, `"${text}" is not an IPv4 address`)
      return null
    }
    if (nodeNet && !isHostAddress(nodeNet, address)) {
      error(
        path,
        `${text} is outside the node network ${network.nodeCidr} (or is its network or broadcast address)`,
      )
    }
    return address
  }

  const gateway = hostAddress('network.gateway', network.gateway)
  network.dns.forEach((dns, i) => {
    if (parseIpv4(dns) === null) error(`network.dns[${i}]`, `"${dns}" is not an IPv4 address`)
  })

  // Nodes: unique names, addresses and slots.
  const byAddress = new Map<number, string>()
  const byHostname = new Map<string, number>()
  const bySlot = new Map<string, string>()
  nodes.forEach((node, i) => {
    const path = `nodes[${i}]`
    const earlier = byHostname.get(node.hostname)
    if (earlier !== undefined)
      error(`${path}.hostname`, `${node.hostname} is used twice (also nodes[${earlier}])`)
    byHostname.set(node.hostname, i)

    const address = hostAddress(`${path}.address`, node.address)
    if (address !== null) {
      const other = byAddress.get(address)
      if (other) error(`${path}.address`, `${node.address} is already the address of ${other}`)
      else byAddress.set(address, node.hostname)
      if (address === gateway) error(`${path}.address`, `${node.address} is the gateway's address`)
    }

    const slotKey = `${node.board}#${node.slot}`
    const taken = bySlot.get(slotKey)
    if (taken) error(`${path}.slot`, `slot ${node.slot} of board "${node.board}" is already node ${taken}`)
    bySlot.set(slotKey, node.hostname)
    const others = otherClaims(context.otherProfiles ?? [], node.board, node.slot)
    if (others.length > 0) warning(`${path}.slot`, slotConflictMessage(node.board, node.slot, others))

    if (context.boardNames && !context.boardNames.some((b) => b.toLowerCase() === node.board.toLowerCase())) {
      error(
        `${path}.board`,
        `no saved board is named "${node.board}": add it on the Boards page or with clusterdeck board add`,
      )
    }
    if (node.nvme && profile.distribution === 'talos' && !node.nvme.mountPoint.startsWith('/var/mnt/')) {
      warning(
        `${path}.nvme.mountPoint`,
        `Talos mounts user volumes under /var/mnt/; ${node.nvme.mountPoint} will not be writable`,
      )
    }
    if (node.image) checkImage(`${path}.image`, node.image)
  })

  // Control plane: at least one, and an odd number of etcd members.
  const controlPlanes = nodes.filter((node) => node.role === 'control-plane')
  if (controlPlanes.length === 0) {
    error('nodes', 'no node has the role control-plane: a cluster needs at least one')
  } else if (controlPlanes.length % 2 === 0) {
    error(
      'nodes',
      `${controlPlanes.length} control-plane nodes make an even number of etcd members, which tolerates no more failures than ${controlPlanes.length - 1} and risks a split vote: use 1, 3 or 5`,
    )
  }

  // The API endpoint and the VIP.
  const vip = network.vip === undefined ? null : hostAddress('network.vip', network.vip)
  if (vip !== null && byAddress.has(vip))
    error('network.vip', `${network.vip} is already the address of ${byAddress.get(vip)}`)
  if (vip !== null && vip === gateway) error('network.vip', `${network.vip} is the gateway's address`)
  const endpoint = hostAddress('network.apiEndpoint', network.apiEndpoint)
  if (endpoint !== null) {
    const onControlPlane = controlPlanes.some((node) => parseIpv4(node.address) === endpoint)
    if (!onControlPlane && endpoint !== vip) {
      error(
        'network.apiEndpoint',
        `${network.apiEndpoint} is neither a control-plane node's address nor the VIP`,
      )
    }
    if (endpoint === vip) {
      warning(
        'network.apiEndpoint',
        'the VIP exists only once the cluster is bootstrapped; Clusterdeck bootstraps through the first control plane and switches to the VIP afterwards',
      )
    }
  }

  // Pod and service networks.
  const podNet = clusterNetwork('network.podCidr', network.podCidr)
  const serviceNet = clusterNetwork('network.serviceCidr', network.serviceCidr)
  if (podNet && serviceNet && networksOverlap(podNet, serviceNet)) {
    error('network.serviceCidr', `${network.serviceCidr} overlaps the pod network ${network.podCidr}`)
  }

  // MetalLB's pool: inside the node network, clear of every address already in use.
  if (profile.addons.metallb.enabled && network.metallbRange === undefined) {
    error('network.metallbRange', 'MetalLB is enabled but has no address range, e.g. 10.10.88.80-10.10.88.89')
  }
  if (network.metallbRange !== undefined) {
    const range = parseIpv4Range(network.metallbRange)
    if (!range) {
      error(
        'network.metallbRange',
        `"${network.metallbRange}" is not a range such as 10.10.88.80-10.10.88.89`,
      )
    } else {
      if (nodeNet && !(networkContains(nodeNet, range.first) && networkContains(nodeNet, range.last))) {
        error(
          'network.metallbRange',
          `${network.metallbRange} is not inside the node network ${network.nodeCidr}`,
        )
      }
      for (const [address, hostname] of byAddress) {
        if (rangeContains(range, address)) {
          error(
            'network.metallbRange',
            `${network.metallbRange} includes ${formatIpv4(address)}, the address of ${hostname}`,
          )
        }
      }
      for (const [label, address] of [
        ['the gateway', gateway],
        ['the VIP', vip],
        ['the API endpoint', endpoint],
      ] as const) {
        if (address !== null && rangeContains(range, address)) {
          error('network.metallbRange', `${network.metallbRange} includes ${formatIpv4(address)}, ${label}`)
        }
      }
    }
  }

  // Versions and images that fit the distribution.
  if (profile.distribution === 'talos') {
    if (!profile.versions.talos)
      error('versions.talos', 'a Talos profile needs a Talos version, e.g. v1.13.9')
    if (!profile.versions.kubernetes)
      error('versions.kubernetes', 'a Talos profile needs a Kubernetes version, e.g. 1.36.1')
    if (profile.versions.k3s) warning('versions.k3s', 'is ignored for a Talos profile')
    if (profile.nodeAccess)
      warning('nodeAccess', 'is ignored for a Talos profile: Talos nodes have no SSH login')
  } else {
    if (!profile.versions.k3s) error('versions.k3s', 'a K3s profile needs a K3s version, e.g. v1.36.4+k3s1')
    if (profile.versions.talos) warning('versions.talos', 'is ignored for a K3s profile')
  }
  checkImage('image', profile.image)

  const { addons } = profile
  if (addons.ingressNginx.enabled && addons.traefik.enabled) {
    error('addons.traefik', 'choose one ingress controller: both would claim the default ingress class')
  } else if (addons.ingressNginx.enabled) {
    warning('addons.ingressNginx', `${addonEntry('ingressNginx').retired!.note} Choose Traefik instead.`)
  }

  if (profile.addons.longhorn.enabled && profile.addons.longhorn.replicaCount > nodes.length) {
    warning(
      'addons.longhorn.replicaCount',
      `${profile.addons.longhorn.replicaCount} replicas need as many nodes; the profile has ${nodes.length}`,
    )
  }

  return issues

  function clusterNetwork(path: string, text: string): Ipv4Network | null {
    const net = parseIpv4Cidr(text)
    if (!net) {
      error(path, `"${text}" is not an IPv4 network such as 10.42.0.0/16`)
      return null
    }
    if (nodeNet && networksOverlap(net, nodeNet))
      error(path, `${text} overlaps the node network ${network.nodeCidr}`)
    return net
  }

  function checkImage(path: string, image: ImageSource): void {
    if ('armbian' in image && profile.distribution === 'talos') {
      error(path, 'an Armbian image cannot run Talos: choose a Talos Image Factory image')
    }
    if ('talosFactory' in image && profile.distribution === 'k3s') {
      error(path, 'a Talos image cannot run K3s: choose an Armbian image')
    }
    if (
      'talosFactory' in image &&
      profile.addons.longhorn.enabled &&
      image.talosFactory.schematic === 'none'
    ) {
      error(
        path,
        'Longhorn needs the iscsi-tools and util-linux-tools extensions: use the longhorn schematic preset',
      )
    }
  }
}

export function hasErrors(issues: readonly ProfileIssue[]): boolean {
  return issues.some((issue) => issue.severity === 'error')
}
