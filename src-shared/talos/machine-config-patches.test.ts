import { describe, expect, it } from 'vitest'
import { profileFromTemplate } from '../profiles/profile-templates.ts'
import { nodePatches, userVolumeName } from './machine-config-patches.ts'

const template = profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })
/** Before 1.12 the host name is a v1alpha1 field. */
const profile = { ...template, versions: { ...template.versions, talos: 'v1.11.5' } }
const [cp, w1] = profile.nodes

describe('nodePatches', () => {
  it('gives a control plane its host name, disk, installer, static address, gateway and DNS', () => {
    const [main] = nodePatches(profile, cp!, {
      installerImage: 'factory.talos.dev/metal-installer/abc:v1.13.9',
    })
    expect(main).toEqual({
      machine: {
        network: {
          hostname: 'turing-cp1',
          interfaces: [
            {
              deviceSelector: { physical: true },
              dhcp: false,
              addresses: ['10.10.88.73/24'],
              routes: [{ network: '0.0.0.0/0', gateway: '10.10.88.1' }],
            },
          ],
          nameservers: ['10.10.88.1'],
        },
        install: { disk: '/dev/mmcblk0', image: 'factory.talos.dev/metal-installer/abc:v1.13.9' },
        kubelet: { nodeIP: { validSubnets: ['10.10.88.0/24'] } },
      },
      cluster: { network: { podSubnets: ['10.244.0.0/16'], serviceSubnets: ['10.96.0.0/12'] } },
    })
  })

  it('puts the VIP on control planes only, and schedules on control planes when there are few workers', () => {
    const withVip = { ...profile, network: { ...profile.network, vip: '10.10.88.70' } }
    const cpInterface = (nodePatches(withVip, cp!)[0] as { machine: { network: { interfaces: object[] } } })
      .machine.network.interfaces[0]
    expect(cpInterface).toMatchObject({ vip: { ip: '10.10.88.70' } })
    const workerInterface = (
      nodePatches(withVip, w1!)[0] as { machine: { network: { interfaces: object[] } } }
    ).machine.network.interfaces[0]
    expect(workerInterface).not.toHaveProperty('vip')

    const small = { ...profile, nodes: profile.nodes.slice(0, 2) }
    expect(nodePatches(small, cp!)[0]).toMatchObject({ cluster: { allowSchedulingOnControlPlanes: true } })
    expect(nodePatches(profile, cp!)[0]).not.toHaveProperty('cluster.allowSchedulingOnControlPlanes')
  })

  it('names the host in a HostnameConfig document from Talos 1.12 on, where gen config writes one', () => {
    const [main, hostname] = nodePatches(template, cp!)
    expect(main).not.toHaveProperty('machine.network.hostname')
    expect(hostname).toEqual({
      apiVersion: 'v1alpha1',
      kind: 'HostnameConfig',
      auto: 'off',
      hostname: 'turing-cp1',
    })
  })

  it('adds the NVMe user volume Longhorn uses, mounted at /var/mnt/<name>', () => {
    expect(nodePatches(profile, w1!)[1]).toEqual({
      apiVersion: 'v1alpha1',
      kind: 'UserVolumeConfig',
      name: 'longhorn',
      provisioning: {
        diskSelector: { match: "disk.dev_path == '/dev/nvme0n1' && !system_disk" },
        minSize: '1GiB',
        grow: true,
      },
      filesystem: { type: 'xfs' },
    })
    const noNvme = { ...w1!, nvme: undefined }
    expect(nodePatches(profile, noNvme)).toHaveLength(1)
  })

  it('refuses an NVMe mount point Talos cannot give a user volume', () => {
    const elsewhere = { ...w1!, nvme: { device: '/dev/nvme0n1', mountPoint: '/var/lib/longhorn' } }
    expect(() => nodePatches(profile, elsewhere)).toThrow(/must be \/var\/mnt\/<name> on Talos/)
    expect(userVolumeName('/var/mnt/longhorn')).toBe('longhorn')
    expect(userVolumeName('/var/mnt/a/b')).toBeNull()
  })
})
