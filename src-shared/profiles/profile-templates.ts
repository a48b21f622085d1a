// Profiles to start from, mirroring the seed documents' clusters: four Turing RK1 modules on one
// Turing Pi board, addressed as in the seeds' IP plan (10.10.88.73–76, MetalLB .80–.89).
import { clusterProfileSchema, type ClusterProfile, type ClusterProfileInput } from './profile-schema.ts'

export const profileTemplates = {
  'talos-rk1-longhorn': {
    title: 'Talos on four Turing RK1, NVMe for Longhorn',
    description:
      'One control plane and three workers running Talos Linux from an Image Factory image with the Longhorn extensions (iscsi-tools, util-linux-tools); each node’s NVMe drive is mounted at /var/mnt/longhorn.',
  },
  'k3s-rk1-armbian': {
    title: 'K3s on four Turing RK1 with Armbian',
    description:
      'One K3s server and three agents on Armbian (Debian trixie, minimal, vendor kernel with the NPU driver); each node’s NVMe drive is mounted at /var/lib/longhorn.',
  },
} as const

export type ProfileTemplateId = keyof typeof profileTemplates

const hosts = [
  { hostname: 'turing-cp1', role: 'control-plane', address: '10.10.88.73' },
  { hostname: 'turing-w1', role: 'worker', address: '10.10.88.74' },
  { hostname: 'turing-w2', role: 'worker', address: '10.10.88.75' },
  { hostname: 'turing-w3', role: 'worker', address: '10.10.88.76' },
] as const

export function profileFromTemplate(
  template: ProfileTemplateId,
  { name, board }: { name: string; board: string },
): ClusterProfile {
  const talos = template === 'talos-rk1-longhorn'
  const input: ClusterProfileInput = {
    name,
    distribution: talos ? 'talos' : 'k3s',
    versions: talos ? { talos: 'v1.13.9', kubernetes: '1.36.1' } : { k3s: 'v1.36.4+k3s1' },
    network: {
      nodeCidr: '10.10.88.0/24',
      gateway: '10.10.88.1',
      dns: ['10.10.88.1'],
      apiEndpoint: '10.10.88.73',
      podCidr: talos ? '10.244.0.0/16' : '10.42.0.0/16',
      serviceCidr: talos ? '10.96.0.0/12' : '10.43.0.0/16',
      metallbRange: '10.10.88.80-10.10.88.89',
    },
    image: talos
      ? { talosFactory: { schematic: 'longhorn', board: 'turing-rk1' } }
      : { armbian: { distro: 'trixie', variant: 'minimal', branch: 'vendor' } },
    nodes: hosts.map((host, i) => ({
      ...host,
      board,
      slot: (i + 1) as 1 | 2 | 3 | 4,
      installDisk: '/dev/mmcblk0',
      nvme: { device: '/dev/nvme0n1', mountPoint: talos ? '/var/mnt/longhorn' : '/var/lib/longhorn' },
    })),
    // Traefik rather than the retired ingress-nginx; the monitoring volume's size follows the platform.
    addons: { ingressNginx: { enabled: false }, traefik: { enabled: true } },
    ...(talos ? {} : { nodeAccess: { user: 'root', timezone: 'UTC', authorizedKeys: [] } }),
  }
  return clusterProfileSchema.parse(input)
}
