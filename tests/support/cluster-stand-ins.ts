// Stand-ins for what the add-ons' controllers do in a home-lab cluster and the loopback cluster
// lacks (kwok runs their pods, but no real image runs): a volume provisioner (Longhorn's CSI
// driver, or local-path), Longhorn's manager writing the StorageClass from its settings, a
// LoadBalancer address pool (MetalLB's controller), cert-manager's
// controller marking ClusterIssuers Ready, and the container of Longhorn's pre-delete hook Job. All are ordinary controllers over the API server: the
// provisioner answers PVCs of its StorageClasses with a PersistentVolume claimed for them, and
// kube-controller-manager's volume binder binds the pair; the pool writes an ingress address into
// each LoadBalancer Service's status — from MetalLB's IPAddressPool once the metallb stand-in chart
// and the add-on step created one, else from 127.0.1.0/24; the issuer controller sets Ready on each
// ClusterIssuer once the cert-manager stand-in chart brought their CRD; the hook's pod (held back
// from kwok by a scheduling gate) ends Failed unless Longhorn's deleting-confirmation-flag is "true".
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  StorageV1Api,
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  type V1ConfigMap,
  type V1PersistentVolumeClaim,
  type V1Pod,
  type V1Service,
  type V1StorageClass,
} from '@kubernetes/client-node'
import { parse } from 'yaml'
import { formatIpv4, parseIpv4Cidr, parseIpv4Range } from '../../src-shared/net/ipv4.ts'

export const storageClassName = 'loopback'
const provisioner = 'clusterdeck.test/loopback'
/** The classes whose claims the provisioner answers: its own, and the longhorn stand-in chart's. */
const provisionedClasses = new Set([storageClassName, 'longhorn'])

type ClusterIssuer = KubernetesObject & { status?: { conditions?: { type: string; status: string }[] } }

export interface ClusterStandIns {
  stop(): Promise<void>
}

/** Keeps an informer running: on a dropped watch it restarts after a short pause, until stopped. */
function keepInforming<T extends KubernetesObject>(informer: Informer<T>, isStopped: () => boolean): void {
  informer.on('error', () => {
    // Checked again when the pause ends: a restart after stop() would dial a cluster whose
    // certificate files are gone, and its ENOENT would surface as an unhandled error of the run.
    if (!isStopped())
      setTimeout(() => {
        if (!isStopped()) void informer.start().catch(() => undefined)
      }, 1000)
  })
}

function statusCode(error: unknown): number | undefined {
  return (error as { code?: number }).code
}

export async function startClusterStandIns(kubeConfig: KubeConfig): Promise<ClusterStandIns> {
  const core = kubeConfig.makeApiClient(CoreV1Api)
  const storage = kubeConfig.makeApiClient(StorageV1Api)
  const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api)
  let stopped = false
  const failures: string[] = []
  const report = (what: string) => (error: unknown) => {
    // A conflict means a newer version of the object is on its way to the informer.
    if (!stopped && statusCode(error) !== 409) failures.push(`${what}: ${(error as Error).message}`)
  }

  await storage.createStorageClass({
    body: {
      metadata: {
        name: storageClassName,
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      provisioner,
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'Immediate',
    },
  })

  const claims = makeInformer<V1PersistentVolumeClaim>(kubeConfig, '/api/v1/persistentvolumeclaims', () =>
    core.listPersistentVolumeClaimForAllNamespaces(),
  )
  const provision = (claim: V1PersistentVolumeClaim) => {
    const { metadata, spec, status } = claim
    if (!metadata?.uid || spec?.volumeName || status?.phase !== 'Pending') return
    if (!spec?.storageClassName || !provisionedClasses.has(spec.storageClassName)) return
    void core
      .createPersistentVolume({
        body: {
          metadata: {
            name: `pvc-${metadata.uid}`,
            annotations: { 'pv.kubernetes.io/provisioned-by': provisioner },
          },
          spec: {
            capacity: { storage: spec.resources?.requests?.storage ?? '1Gi' },
            accessModes: spec.accessModes ?? ['ReadWriteOnce'],
            persistentVolumeReclaimPolicy: 'Delete',
            storageClassName: spec.storageClassName,
            claimRef: {
              apiVersion: 'v1',
              kind: 'PersistentVolumeClaim',
              namespace: metadata.namespace,
              name: metadata.name,
              uid: metadata.uid,
            },
            // Never mounted: kwok simulates the kubelets, so no pod touches this path.
            hostPath: { path: `/var/lib/clusterdeck-loopback/${metadata.uid}` },
          },
        },
      })
      .catch(report(`provisioning ${metadata.namespace}/${metadata.name}`))
  }
  claims.on('add', provision)
  claims.on('update', provision)

  const services = makeInformer<V1Service>(kubeConfig, '/api/v1/services', () =>
    core.listServiceForAllNamespaces(),
  )
  // Addresses from MetalLB's pools when there are any, else from 127.0.1.0/24: nothing a test
  // might dial leaves the machine.
  const custom = kubeConfig.makeApiClient(CustomObjectsApi)
  const addresses = new Map<string, string>()
  const nextAddress = async (): Promise<string> => {
    const pools = (await custom
      .listClusterCustomObject({ group: 'metallb.io', version: 'v1beta1', plural: 'ipaddresspools' })
      .catch(() => ({ items: [] }))) as { items: { spec?: { addresses?: string[] } }[] }
    const taken = new Set(addresses.values())
    for (const range of pools.items.flatMap((pool) => pool.spec?.addresses ?? [])) {
      const free = rangeAddresses(range).find((address) => !taken.has(address))
      if (free) return free
    }
    let n = addresses.size + 1
    while (taken.has(`127.0.1.${n}`)) n++
    return `127.0.1.${n}`
  }
  const assign = async (service: V1Service) => {
    const { metadata, spec, status } = service
    if (!metadata?.uid || spec?.type !== 'LoadBalancer' || status?.loadBalancer?.ingress?.length) return
    let ip = addresses.get(metadata.uid)
    if (!ip) {
      const next = await nextAddress()
      // Another event for the same Service may have assigned one meanwhile.
      ip = addresses.get(metadata.uid) ?? next
      addresses.set(metadata.uid, ip)
    }
    await core
      .patchNamespacedServiceStatus(
        {
          name: metadata.name ?? '',
          namespace: metadata.namespace ?? '',
          body: { status: { loadBalancer: { ingress: [{ ip, ipMode: 'VIP' }] } } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )
      .catch(report(`assigning ${ip} to ${metadata.namespace}/${metadata.name}`))
  }
  services.on('add', (service) => void assign(service))
  services.on('update', (service) => void assign(service))

  // Longhorn's manager: the StorageClass written in its ConfigMap, created anew when it changes.
  const longhornSettings = makeInformer<V1ConfigMap>(
    kubeConfig,
    '/api/v1/namespaces/longhorn-system/configmaps',
    () => core.listNamespacedConfigMap({ namespace: 'longhorn-system' }),
  )
  const syncStorageClass = async (configMap: V1ConfigMap) => {
    const text = configMap.data?.['storageclass.yaml']
    if (configMap.metadata?.name !== 'longhorn-storageclass' || !text) return
    const wanted = parse(text) as V1StorageClass
    const name = wanted.metadata?.name ?? ''
    const current = await storage.readStorageClass({ name }).catch(() => undefined)
    if (current && JSON.stringify(current.parameters) === JSON.stringify(wanted.parameters)) return
    if (current) await storage.deleteStorageClass({ name })
    await storage.createStorageClass({ body: wanted })
  }
  const onSettings = (configMap: V1ConfigMap) =>
    void syncStorageClass(configMap).catch(report('writing the longhorn StorageClass'))
  longhornSettings.on('add', onSettings)
  longhornSettings.on('update', onSettings)
  longhornSettings.on('delete', (configMap) => {
    if (configMap.metadata?.name === 'longhorn-storageclass')
      void storage.deleteStorageClass({ name: 'longhorn' }).catch(() => undefined)
  })

  // cert-manager's controller: a ClusterIssuer becomes Ready. Its informer starts once the CRD is there.
  const issuers = makeInformer<ClusterIssuer>(kubeConfig, '/apis/cert-manager.io/v1/clusterissuers', () =>
    custom.listClusterCustomObject({ group: 'cert-manager.io', version: 'v1', plural: 'clusterissuers' }),
  )
  const markReady = (issuer: ClusterIssuer) => {
    const name = issuer.metadata?.name
    if (!name || issuer.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return
    const condition = {
      type: 'Ready',
      status: 'True',
      reason: 'IsReady',
      message: 'stand-in issuer ready',
      lastTransitionTime: new Date().toISOString(),
    }
    void custom
      .patchClusterCustomObjectStatus(
        {
          group: 'cert-manager.io',
          version: 'v1',
          plural: 'clusterissuers',
          name,
          body: { status: { conditions: [condition] } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )
      .catch(report(`marking ClusterIssuer ${name} Ready`))
  }
  issuers.on('add', markReady)
  issuers.on('update', markReady)
  const definitions = makeInformer<KubernetesObject>(
    kubeConfig,
    '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
    () => extensions.listCustomResourceDefinition(),
  )
  let issuersStarted = false
  definitions.on('add', (definition) => {
    if (definition.metadata?.name !== 'clusterissuers.cert-manager.io' || issuersStarted) return
    issuersStarted = true
    keepInforming(issuers, () => stopped)
    // The CRD is served a moment after it is created; the restart on error covers that moment.
    void issuers.start().catch(() => undefined)
  })

  // `longhorn-manager uninstall`, the command of the longhorn chart's pre-delete hook Job: it
  // refuses (its pod fails) unless the deleting-confirmation-flag Setting is "true".
  const longhornPods = makeInformer<V1Pod>(kubeConfig, '/api/v1/namespaces/longhorn-system/pods', () =>
    core.listNamespacedPod({ namespace: 'longhorn-system' }),
  )
  const uninstallsRun = new Set<string>()
  const runUninstall = async (pod: V1Pod) => {
    const { metadata, spec, status } = pod
    if (!metadata?.uid || metadata.deletionTimestamp || status?.phase !== 'Pending') return
    if (!spec?.schedulingGates?.some((gate) => gate.name === 'clusterdeck.test/longhorn-uninstall')) return
    if (uninstallsRun.has(metadata.uid)) return
    uninstallsRun.add(metadata.uid)
    const setting = (await custom
      .getNamespacedCustomObject({
        group: 'longhorn.io',
        version: 'v1beta2',
        namespace: 'longhorn-system',
        plural: 'settings',
        name: 'deleting-confirmation-flag',
      })
      .catch(() => undefined)) as { value?: string } | undefined
    const confirmed = setting?.value === 'true'
    await core.patchNamespacedPodStatus(
      {
        name: metadata.name ?? '',
        namespace: 'longhorn-system',
        body: {
          status: confirmed
            ? { phase: 'Succeeded', reason: 'Completed', message: 'stand-in: Longhorn uninstalled' }
            : {
                phase: 'Failed',
                reason: 'Error',
                message:
                  'stand-in: cannot uninstall Longhorn because deleting-confirmation-flag is not "true"',
              },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )
  }
  const onLonghornPod = (pod: V1Pod) =>
    void runUninstall(pod).catch(report(`running longhorn-uninstall in ${pod.metadata?.name}`))
  longhornPods.on('add', onLonghornPod)
  longhornPods.on('update', onLonghornPod)

  const informers = [
    claims,
    services,
    definitions,
    longhornSettings,
    longhornPods,
  ] as Informer<KubernetesObject>[]
  for (const informer of informers) keepInforming(informer, () => stopped)
  await Promise.all(informers.map((informer) => informer.start()))

  return {
    async stop() {
      stopped = true
      await Promise.all([
        claims.stop(),
        services.stop(),
        definitions.stop(),
        longhornSettings.stop(),
        longhornPods.stop(),
        issuersStarted && issuers.stop(),
      ])
      if (failures.length > 0) console.warn(`cluster stand-ins saw errors:\n${failures.join('\n')}`)
    },
  }
}

/** The addresses of a MetalLB range, "a.b.c.d-a.b.c.e" or a CIDR (the first 256 at most). */
function rangeAddresses(text: string): string[] {
  const network = parseIpv4Cidr(text)
  const range = network
    ? { first: network.base, last: network.base + network.size - 1 }
    : parseIpv4Range(text)
  if (!range) return []
  return Array.from({ length: Math.min(range.last - range.first + 1, 256) }, (_, i) =>
    formatIpv4(range.first + i),
  )
}
