// Stand-ins for the two add-ons a home-lab cluster gets and the loopback cluster lacks: a volume
// provisioner (Longhorn or local-path on real boards) and a LoadBalancer address pool (MetalLB).
// Both are ordinary controllers over the API server: the provisioner answers PVCs of its
// StorageClass with a PersistentVolume claimed for them, and kube-controller-manager's volume
// binder binds the pair; the pool writes an ingress address into each LoadBalancer Service's status.
import {
  CoreV1Api,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  StorageV1Api,
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  type V1PersistentVolumeClaim,
  type V1Service,
} from '@kubernetes/client-node'

export const storageClassName = 'loopback'
const provisioner = 'clusterdeck.test/loopback'

export interface ClusterStandIns {
  stop(): Promise<void>
}

/** Keeps an informer running: on a dropped watch it restarts after a short pause, until stopped. */
function keepInforming<T extends KubernetesObject>(informer: Informer<T>, isStopped: () => boolean): void {
  informer.on('error', () => {
    if (!isStopped()) setTimeout(() => void informer.start().catch(() => undefined), 1000)
  })
}

function statusCode(error: unknown): number | undefined {
  return (error as { code?: number }).code
}

export async function startClusterStandIns(kubeConfig: KubeConfig): Promise<ClusterStandIns> {
  const core = kubeConfig.makeApiClient(CoreV1Api)
  const storage = kubeConfig.makeApiClient(StorageV1Api)
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
    if (spec?.storageClassName !== storageClassName) return
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
            storageClassName,
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
  // Addresses from 127.0.1.0/24: loopback, so nothing a test might dial leaves the machine.
  const addresses = new Map<string, string>()
  const assign = (service: V1Service) => {
    const { metadata, spec, status } = service
    if (!metadata?.uid || spec?.type !== 'LoadBalancer' || status?.loadBalancer?.ingress?.length) return
    let ip = addresses.get(metadata.uid)
    if (!ip) {
      ip = `127.0.1.${addresses.size + 1}`
      addresses.set(metadata.uid, ip)
    }
    void core
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
  services.on('add', assign)
  services.on('update', assign)

  for (const informer of [claims, services]) keepInforming(informer, () => stopped)
  await Promise.all([claims.start(), services.start()])

  return {
    async stop() {
      stopped = true
      await Promise.all([claims.stop(), services.stop()])
      if (failures.length > 0) console.warn(`cluster stand-ins saw errors:\n${failures.join('\n')}`)
    },
  }
}
