// Every add-on Clusterdeck installs, in one place: where its chart comes from (repository, name,
// pinned version), the release and namespace it gets, whether Pod Security must let it run
// privileged pods, what "ready" means for it, its web UI, and the layer DAG the plan compilers and
// the install steps share. Facts from docs/addons.md; the values each add-on gets are built in
// addon-values.ts.
import type { AddonKey } from '../lifecycle/plan.ts'
import type { ClusterProfile } from '../profiles/profile-schema.ts'

/** Something the cluster shows when an add-on works; checked after the install and by a resumed run. */
export type ReadinessCheck =
  | { kind: 'deployment'; name: string }
  | { kind: 'daemonset'; name: string }
  /** A Service with ready endpoints: a webhook that answers before its custom resources are applied. */
  | { kind: 'webhook'; service: string }
  /** A LoadBalancer Service that got its address (from MetalLB's pool). */
  | { kind: 'load-balancer'; service: string }
  /** MetalLB's IPAddressPool holds the profile's range, and an L2Advertisement announces it. */
  | { kind: 'address-pool'; name: string; addresses: string }
  | { kind: 'cluster-issuer'; name: string }
  /** A StorageClass with these parameters (Longhorn's manager writes it from its settings). */
  | { kind: 'storage-class'; name: string; parameters: Record<string, string> }

export interface AddonChart {
  /** An HTTP(S) chart repository (helm --repo) or an OCI registry path (oci://…). */
  repository: string
  name: string
  version: string
}

export interface AddonEntry {
  key: AddonKey
  title: string
  /** Add-ons that must be installed first, when the profile enables them. */
  after: readonly AddonKey[]
  chart: AddonChart
  release: string
  namespace: string
  /**
   * Its pods need the privileged Pod Security level (host networking, host paths): Talos enforces
   * baseline everywhere but kube-system, so the namespace is labelled before the chart goes in.
   */
  privileged: boolean
  /** helm --timeout: slow ARM boards pulling big images need longer than helm's 5 minutes. */
  timeoutSeconds: number
  /** A web UI the cluster view links to. */
  ui?: { service: string; port: number; scheme: 'http' | 'https' }
  /** Set when upstream stopped maintaining it: why, and the add-on to use instead. */
  retired?: { note: string; successor: AddonKey }
}

export const metallbPoolName = 'clusterdeck-pool'
export const selfSignedIssuerName = 'clusterdeck-selfsigned'

/** In install order; `after` makes the DAG (MetalLB first, storage before what keeps data). */
export const addonCatalogue: readonly AddonEntry[] = [
  {
    key: 'metallb',
    title: 'MetalLB',
    after: [],
    chart: { repository: 'https://metallb.github.io/metallb', name: 'metallb', version: '0.16.1' },
    release: 'metallb',
    namespace: 'metallb-system',
    privileged: true,
    timeoutSeconds: 300,
  },
  {
    key: 'ingressNginx',
    title: 'ingress-nginx',
    after: ['metallb'],
    chart: {
      repository: 'https://kubernetes.github.io/ingress-nginx',
      name: 'ingress-nginx',
      version: '4.15.1',
    },
    release: 'ingress-nginx',
    namespace: 'ingress-nginx',
    privileged: false,
    timeoutSeconds: 300,
    retired: {
      note: 'ingress-nginx is retired upstream: no releases, bug fixes or security fixes since March 2026.',
      successor: 'traefik',
    },
  },
  {
    key: 'traefik',
    title: 'Traefik',
    after: ['metallb'],
    chart: { repository: 'https://traefik.github.io/charts', name: 'traefik', version: '42.4.3' },
    release: 'traefik',
    namespace: 'traefik',
    privileged: false,
    timeoutSeconds: 300,
  },
  {
    key: 'certManager',
    title: 'cert-manager',
    // HTTP-01 challenges need the ingress class to exist.
    after: ['ingressNginx', 'traefik'],
    // The chart's own README installs from OCI; the classic repository's future is unconfirmed.
    chart: { repository: 'oci://quay.io/jetstack/charts', name: 'cert-manager', version: 'v1.21.1' },
    release: 'cert-manager',
    namespace: 'cert-manager',
    privileged: false,
    timeoutSeconds: 300,
  },
  {
    key: 'longhorn',
    title: 'Longhorn',
    after: ['metallb'],
    chart: { repository: 'https://charts.longhorn.io', name: 'longhorn', version: '1.12.1' },
    release: 'longhorn',
    // Longhorn installs only into longhorn-system.
    namespace: 'longhorn-system',
    privileged: true,
    timeoutSeconds: 600,
    ui: { service: 'longhorn-frontend', port: 80, scheme: 'http' },
  },
  {
    key: 'monitoring',
    title: 'Monitoring (kube-prometheus-stack)',
    after: ['longhorn'],
    chart: {
      repository: 'https://prometheus-community.github.io/helm-charts',
      name: 'kube-prometheus-stack',
      version: '88.5.3',
    },
    release: 'kube-prometheus-stack',
    namespace: 'monitoring',
    // node-exporter reads the host's /proc and /sys on the host network.
    privileged: true,
    timeoutSeconds: 900,
    ui: { service: 'kube-prometheus-stack-grafana', port: 80, scheme: 'http' },
  },
  {
    key: 'portainer',
    title: 'Portainer',
    // Its data lives on a volume: with Longhorn enabled, the volume comes from Longhorn.
    after: ['metallb', 'longhorn'],
    chart: { repository: 'https://portainer.github.io/k8s/', name: 'portainer', version: '239.4.0' },
    release: 'portainer',
    namespace: 'portainer',
    privileged: false,
    timeoutSeconds: 300,
    ui: { service: 'portainer', port: 9443, scheme: 'https' },
  },
]

export function addonEntry(key: AddonKey): AddonEntry {
  return addonCatalogue.find((entry) => entry.key === key)!
}

/** The add-ons the profile enables, in install order. */
export function enabledAddons(profile: ClusterProfile): AddonEntry[] {
  return addonCatalogue.filter(({ key }) => profile.addons[key].enabled)
}

/** The enabled add-ons this one waits for. */
export function addonDependencies(key: AddonKey, profile: ClusterProfile): AddonKey[] {
  return addonEntry(key).after.filter((other) => profile.addons[other].enabled)
}

/** Where the chart is fetched from: its own repository, or one mirror that serves every chart. */
export function chartSource(key: AddonKey, mirror?: string): AddonChart {
  const { chart } = addonEntry(key)
  return mirror ? { ...chart, repository: mirror.replace(/\/+$/, '') } : chart
}

/** helm's chart reference and repository flag for a source: OCI paths name the chart in full. */
export function chartArgs(source: AddonChart): string[] {
  return source.repository.startsWith('oci://')
    ? [`${source.repository}/${source.name}`, '--version', source.version]
    : [source.name, '--repo', source.repository, '--version', source.version]
}

/** What must hold for the add-on to count as ready in this profile's cluster. */
export function readinessChecks(key: AddonKey, profile: ClusterProfile): ReadinessCheck[] {
  const deployments = (...names: string[]) => names.map((name) => ({ kind: 'deployment' as const, name }))
  switch (key) {
    case 'metallb':
      return [
        ...deployments('metallb-controller'),
        { kind: 'daemonset', name: 'metallb-speaker' },
        { kind: 'webhook', service: 'metallb-webhook-service' },
        ...(profile.network.metallbRange
          ? [
              {
                kind: 'address-pool' as const,
                name: metallbPoolName,
                addresses: profile.network.metallbRange,
              },
            ]
          : []),
      ]
    case 'ingressNginx':
      return [
        ...deployments('ingress-nginx-controller'),
        { kind: 'load-balancer', service: 'ingress-nginx-controller' },
      ]
    case 'traefik':
      return [...deployments('traefik'), { kind: 'load-balancer', service: 'traefik' }]
    case 'certManager':
      return [
        ...deployments('cert-manager', 'cert-manager-webhook', 'cert-manager-cainjector'),
        ...(profile.addons.certManager.selfSignedIssuer
          ? [{ kind: 'cluster-issuer' as const, name: selfSignedIssuerName }]
          : []),
      ]
    case 'longhorn':
      return [
        { kind: 'daemonset', name: 'longhorn-manager' },
        ...deployments('longhorn-driver-deployer', 'longhorn-ui'),
        {
          kind: 'storage-class',
          name: 'longhorn',
          parameters: { numberOfReplicas: String(profile.addons.longhorn.replicaCount) },
        },
      ]
    case 'monitoring':
      return [
        ...deployments(
          'kube-prometheus-stack-operator',
          'kube-prometheus-stack-grafana',
          'kube-prometheus-stack-kube-state-metrics',
        ),
        { kind: 'daemonset', name: 'kube-prometheus-stack-prometheus-node-exporter' },
      ]
    case 'portainer':
      return [...deployments('portainer'), { kind: 'load-balancer', service: 'portainer' }]
  }
}
