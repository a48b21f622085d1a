// What a profile asks of each Talos node's machine config, as strategic-merge patch documents for
// `talosctl machineconfig patch`: host name, install disk and the installer of the node's own
// schematic, a static address on the physical NIC with gateway and DNS, the control planes' VIP,
// pod and service networks, scheduling on control planes for small clusters, and the NVMe user
// volume Longhorn keeps its data on. Legacy v1alpha1 fields are used because every Talos from 1.10
// to 1.13 reads them (docs/talos.md); the newer documents only where a version needs them: the user
// volume (1.10+), and the host name from 1.12 on, whose `gen config` writes a HostnameConfig that a
// v1alpha1 host name would contradict.
import { parseIpv4Cidr } from '../net/ipv4.ts'
import type { ClusterProfile, ProfileNode } from '../profiles/profile-schema.ts'
import { compareTalosVersions } from './factory-urls.ts'

export type PatchDocument = Record<string, unknown>

export interface NodePatchOptions {
  /** `factory.talos.dev/metal-installer/<id>:<version>` of the image flashed on this node. */
  installerImage?: string
}

/** A cluster of fewer workers than this lets workloads run on its control planes. */
const workersBeforeDedicatedControlPlanes = 2

/** Talos 1.12 and newer (their prereleases too) take the host name from a HostnameConfig document. */
function hostnameDocument(talosVersion: string | undefined): boolean {
  return talosVersion !== undefined && compareTalosVersions(talosVersion, 'v1.12.0-0') >= 0
}

/** The name of the user volume that holds a node's NVMe mount: /var/mnt/<name>. */
export function userVolumeName(mountPoint: string): string | null {
  const match = /^\/var\/mnt\/([a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?)\/?$/.exec(mountPoint)
  return match ? match[1]! : null
}

export function nodePatches(
  profile: ClusterProfile,
  node: ProfileNode,
  options: NodePatchOptions = {},
): PatchDocument[] {
  const network = parseIpv4Cidr(profile.network.nodeCidr)
  if (!network) throw new Error(`network.nodeCidr is not an IPv4 network: ${profile.network.nodeCidr}`)
  const controlPlane = node.role === 'control-plane'
  const workers = profile.nodes.filter((candidate) => candidate.role === 'worker').length

  const ownHostnameDocument = hostnameDocument(profile.versions.talos)
  const machine: Record<string, unknown> = {
    network: {
      ...(ownHostnameDocument ? {} : { hostname: node.hostname }),
      interfaces: [
        {
          // One physical NIC on the SBCs this app targets; the selector avoids guessing eth0 vs end0.
          deviceSelector: { physical: true },
          dhcp: false,
          addresses: [`${node.address}/${network.prefix}`],
          routes: [{ network: '0.0.0.0/0', gateway: profile.network.gateway }],
          ...(controlPlane && profile.network.vip ? { vip: { ip: profile.network.vip } } : {}),
        },
      ],
      nameservers: profile.network.dns,
    },
    install: {
      disk: node.installDisk,
      ...(options.installerImage ? { image: options.installerImage } : {}),
    },
    kubelet: { nodeIP: { validSubnets: [profile.network.nodeCidr] } },
  }

  const documents: PatchDocument[] = [
    {
      machine,
      cluster: {
        network: { podSubnets: [profile.network.podCidr], serviceSubnets: [profile.network.serviceCidr] },
        ...(controlPlane && workers < workersBeforeDedicatedControlPlanes
          ? { allowSchedulingOnControlPlanes: true }
          : {}),
      },
    },
  ]

  if (ownHostnameDocument)
    documents.push({ apiVersion: 'v1alpha1', kind: 'HostnameConfig', auto: 'off', hostname: node.hostname })

  if (node.nvme) {
    const name = userVolumeName(node.nvme.mountPoint)
    if (!name)
      throw new Error(
        `nodes.${node.hostname}.nvme.mountPoint must be /var/mnt/<name> on Talos (user volumes mount there): ${node.nvme.mountPoint}`,
      )
    documents.push({
      apiVersion: 'v1alpha1',
      kind: 'UserVolumeConfig',
      name,
      provisioning: {
        diskSelector: { match: `disk.dev_path == '${node.nvme.device}' && !system_disk` },
        minSize: '1GiB',
        grow: true,
      },
      filesystem: { type: 'xfs' },
    })
  }
  return documents
}
