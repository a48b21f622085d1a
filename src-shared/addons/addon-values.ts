// The values each add-on's chart gets from a profile: what the profile controls (Longhorn's
// replicas, the monitoring volume's size), what the platform needs (Talos keeps Longhorn's data
// under /var/mnt, K3s under /var/lib; Talos nodes have room for a bigger Prometheus volume), and
// the settings that make each chart fit a small ARM home lab (docs/addons.md).
import type { AddonKey } from '../lifecycle/plan.ts'
import type { ClusterProfile } from '../profiles/profile-schema.ts'

export type HelmValues = Record<string, unknown>

/** Generated secrets some charts need; they never come from the profile, which holds none. */
export interface AddonSecrets {
  grafanaAdminPassword?: string
}

export const platformDefaults = {
  talos: { longhornDataPath: '/var/mnt/longhorn', prometheusStorage: '20Gi' },
  k3s: { longhornDataPath: '/var/lib/longhorn', prometheusStorage: '10Gi' },
} as const

/** Longhorn's data path: the NVMe mount point every node shares, else the platform's default. */
export function longhornDataPath(profile: ClusterProfile): string {
  const mounts = new Set(profile.nodes.flatMap((node) => (node.nvme ? [node.nvme.mountPoint] : [])))
  return mounts.size === 1 ? [...mounts][0]! : platformDefaults[profile.distribution].longhornDataPath
}

export function prometheusStorage(profile: ClusterProfile): string {
  return profile.addons.monitoring.storageSize ?? platformDefaults[profile.distribution].prometheusStorage
}

/** The StorageClass volumes get: Longhorn's when the profile installs it, else the cluster's default. */
function storageClass(profile: ClusterProfile): HelmValues {
  return profile.addons.longhorn.enabled ? { storageClassName: 'longhorn' } : {}
}

export function valuesFor(key: AddonKey, profile: ClusterProfile, secrets: AddonSecrets = {}): HelmValues {
  switch (key) {
    case 'metallb':
      // Layer 2 only: chart 0.16 would otherwise deploy the frr-k8s BGP backend.
      return { crds: { enabled: true }, frrk8s: { enabled: false }, speaker: { frr: { enabled: false } } }
    case 'ingressNginx':
      return {
        controller: {
          service: { type: 'LoadBalancer', externalTrafficPolicy: 'Local' },
          ingressClassResource: { name: 'nginx', default: true },
          allowSnippetAnnotations: false,
        },
      }
    case 'traefik':
      return {
        service: { type: 'LoadBalancer', spec: { externalTrafficPolicy: 'Local' } },
        ingressClass: { enabled: true, isDefaultClass: true },
      }
    case 'certManager':
      // startupapicheck is the gate before issuers are created: the API and webhook answer.
      return { crds: { enabled: true, keep: true }, startupapicheck: { enabled: true } }
    case 'longhorn':
      // Only the StorageClass's replica count: the string format of defaultSettings.defaultReplicaCount
      // changed per data engine in 1.10 and is not confirmed for this chart.
      return {
        defaultSettings: { defaultDataPath: longhornDataPath(profile) },
        persistence: {
          defaultClass: true,
          defaultClassReplicaCount: profile.addons.longhorn.replicaCount,
          reclaimPolicy: 'Delete',
        },
      }
    case 'monitoring': {
      if (!secrets.grafanaAdminPassword)
        throw new Error('the monitoring values need the Grafana admin password')
      const claim = { accessModes: ['ReadWriteOnce'], ...storageClass(profile) }
      return {
        grafana: {
          adminPassword: secrets.grafanaAdminPassword,
          persistence: { enabled: true, size: '2Gi', ...storageClass(profile) },
        },
        prometheus: {
          prometheusSpec: {
            retention: '10d',
            scrapeInterval: '60s',
            serviceMonitorSelectorNilUsesHelmValues: false,
            podMonitorSelectorNilUsesHelmValues: false,
            storageSpec: {
              volumeClaimTemplate: {
                spec: { ...claim, resources: { requests: { storage: prometheusStorage(profile) } } },
              },
            },
          },
        },
        // Neither platform exposes these components' metrics by default; their Down alerts would fire.
        kubeEtcd: { enabled: false },
        kubeControllerManager: { enabled: false },
        kubeScheduler: { enabled: false },
        kubeProxy: { enabled: false },
      }
    }
    case 'portainer':
      return {
        service: { type: 'LoadBalancer' },
        persistence: {
          enabled: true,
          size: '10Gi',
          ...(profile.addons.longhorn.enabled ? { storageClass: 'longhorn' } : {}),
        },
      }
  }
}
