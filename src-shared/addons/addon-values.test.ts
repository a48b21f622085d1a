import { describe, expect, it } from 'vitest'
import { addonKeys } from '../lifecycle/plan.ts'
import { profileFromTemplate } from '../profiles/profile-templates.ts'
import { valuesFor } from './addon-values.ts'

const talos = () => profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })
const k3s = () => profileFromTemplate('k3s-rk1-armbian', { name: 'lab', board: 'rack-1' })
const secrets = { grafanaAdminPassword: 'generated-password-1' }

describe('valuesFor', () => {
  it('puts Longhorn’s data where each platform mounts the NVMe drives, with the profile’s replicas', () => {
    const profile = talos()
    profile.addons.longhorn.replicaCount = 3
    expect(valuesFor('longhorn', profile)).toMatchObject({
      defaultSettings: { defaultDataPath: '/var/mnt/longhorn' },
      persistence: { defaultClass: true, defaultClassReplicaCount: 3 },
    })
    expect(valuesFor('longhorn', k3s())).toMatchObject({
      defaultSettings: { defaultDataPath: '/var/lib/longhorn' },
      persistence: { defaultClassReplicaCount: 2 },
    })
  })

  it('falls back to the platform’s path when the nodes mount their drives in different places', () => {
    const profile = k3s()
    profile.nodes[1]!.nvme = { device: '/dev/nvme0n1', mountPoint: '/srv/disk' }
    expect(valuesFor('longhorn', profile)).toMatchObject({
      defaultSettings: { defaultDataPath: '/var/lib/longhorn' },
    })
  })

  it('sizes Prometheus by platform unless the profile says, on Longhorn when it is installed', () => {
    const storage = (values: Record<string, unknown>) =>
      (
        values as {
          prometheus: { prometheusSpec: { storageSpec: { volumeClaimTemplate: { spec: unknown } } } }
        }
      ).prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec
    expect(storage(valuesFor('monitoring', talos(), secrets))).toEqual({
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'longhorn',
      resources: { requests: { storage: '20Gi' } },
    })
    const small = k3s()
    small.addons.longhorn.enabled = false
    expect(storage(valuesFor('monitoring', small, secrets))).toEqual({
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '10Gi' } },
    })
    small.addons.monitoring.storageSize = '50Gi'
    expect(storage(valuesFor('monitoring', small, secrets))).toMatchObject({
      resources: { requests: { storage: '50Gi' } },
    })
  })

  it('gives Grafana the generated password and refuses to build monitoring values without one', () => {
    expect(valuesFor('monitoring', talos(), secrets)).toMatchObject({
      grafana: { adminPassword: 'generated-password-1' },
    })
    expect(() => valuesFor('monitoring', talos())).toThrow(/Grafana admin password/)
  })

  it('keeps MetalLB to layer 2 and puts the ingress controllers and Portainer on LoadBalancer Services', () => {
    expect(valuesFor('metallb', talos())).toEqual({
      crds: { enabled: true },
      frrk8s: { enabled: false },
      speaker: { frr: { enabled: false } },
    })
    expect(valuesFor('ingressNginx', talos())).toMatchObject({
      controller: { service: { type: 'LoadBalancer' } },
    })
    expect(valuesFor('traefik', talos())).toMatchObject({ service: { type: 'LoadBalancer' } })
    expect(valuesFor('portainer', talos())).toMatchObject({
      service: { type: 'LoadBalancer' },
      persistence: { enabled: true, storageClass: 'longhorn' },
    })
  })

  it('is pure: the same profile gives the same values, and values are plain JSON', () => {
    for (const key of addonKeys) {
      const first = valuesFor(key, talos(), secrets)
      expect(JSON.parse(JSON.stringify(first))).toEqual(valuesFor(key, talos(), secrets))
    }
  })
})
