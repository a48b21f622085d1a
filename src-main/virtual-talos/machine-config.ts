// What a virtual Talos node reads from an applied machine config: Talos configs are multi-document
// YAML with one v1alpha1 document (`version: v1alpha1`, `machine`, `cluster`) and optional typed
// documents (`apiVersion: v1alpha1`, `kind: …`), among them HostnameConfig since Talos 1.12
// (/work/shared/reference/talos.md §5). Only the fields the node acts on are checked; errors read
// like Talos's own ("failed to parse config", "configuration validation failed").
import { parseAllDocuments } from 'yaml'
import { z } from 'zod'

export type MachineType = 'controlplane' | 'worker'

export interface MachineConfig {
  /** The YAML as applied. */
  raw: string
  type: MachineType
  hostname: string | undefined
  clusterId: string
  clusterName: string
  controlPlaneEndpoint: string
  /** base64 PEM strings of the OS CA, as in the config; a worker's key is empty. */
  ca: { crt: string; key: string }
  /** The Kubernetes images the config names (machine.kubelet.image, cluster.apiServer.image, …);
   *  talosctl gen config writes them all, at the cluster's Kubernetes version. */
  images: KubernetesImages
}

export interface KubernetesImages {
  kubelet?: string
  'kube-apiserver'?: string
  'kube-controller-manager'?: string
  'kube-scheduler'?: string
  'kube-proxy'?: string
}

const withImage = z.object({ image: z.string().min(1).optional() }).optional()

// Each check says what it wants by itself, as Talos's validation errors do.
const required = (path: string) => z.string({ error: `${path} is required` }).min(1, `${path} is required`)

const v1alpha1Schema = z.object({
  version: z.literal('v1alpha1', { error: 'version must be v1alpha1' }),
  machine: z.object(
    {
      type: z.enum(['controlplane', 'worker', 'init'], {
        error: (issue) => `unknown machine type ${JSON.stringify(issue.input ?? '')}`,
      }),
      // Workers carry only the CA certificate; trustd on a control plane signs their API certificate.
      ca: z.object(
        { crt: required('machine.ca.crt'), key: z.string().default('') },
        { error: 'machine.ca is required' },
      ),
      network: z.object({ hostname: z.string().optional() }).optional(),
      kubelet: withImage,
    },
    { error: 'machine is required' },
  ),
  cluster: z.object(
    {
      id: required('cluster.id'),
      clusterName: required('cluster.clusterName'),
      controlPlane: z.object(
        { endpoint: z.url({ error: 'cluster.controlPlane.endpoint must be a URL' }) },
        { error: 'cluster.controlPlane.endpoint is required' },
      ),
      apiServer: withImage,
      controllerManager: withImage,
      scheduler: withImage,
      proxy: withImage,
    },
    { error: 'cluster is required' },
  ),
})

const hostnameSchema = z.object({ kind: z.literal('HostnameConfig'), hostname: z.string().min(1) })

export class MachineConfigError extends Error {}

/** The config's facts, or a MachineConfigError saying what is wrong with it. */
export function parseMachineConfig(raw: string): MachineConfig {
  const documents = parseAllDocuments(raw)
  const values: unknown[] = []
  for (const document of Array.isArray(documents) ? documents : [documents]) {
    if (document.errors.length > 0)
      throw new MachineConfigError(`failed to parse config: ${document.errors[0]!.message}`)
    const value: unknown = document.toJS()
    if (value !== null && value !== undefined) values.push(value)
  }
  if (values.length === 0) throw new MachineConfigError('failed to parse config: the document is empty')
  const main = values.find((value) => isRecord(value) && 'machine' in value)
  if (!main)
    throw new MachineConfigError(
      "the applied machine configuration doesn't contain v1alpha1 config, did you mean to patch the machine config instead?",
    )
  const parsed = v1alpha1Schema.safeParse(main)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => issue.message)
    throw new MachineConfigError(
      `configuration validation failed: ${issues.length} error${issues.length === 1 ? '' : 's'} occurred:\n\t* ${issues.join('\n\t* ')}`,
    )
  }
  const { machine, cluster } = parsed.data
  if (machine.type !== 'worker' && machine.ca.key === '')
    throw new MachineConfigError(
      'configuration validation failed: 1 error occurred:\n\t* machine.ca.key is required on a control plane',
    )
  const hostnameDoc = values.map((value) => hostnameSchema.safeParse(value)).find((result) => result.success)
  return {
    raw,
    type: machine.type === 'init' ? 'controlplane' : machine.type,
    hostname: hostnameDoc?.data?.hostname ?? machine.network?.hostname,
    clusterId: cluster.id,
    clusterName: cluster.clusterName,
    controlPlaneEndpoint: cluster.controlPlane.endpoint,
    ca: machine.ca,
    images: {
      kubelet: machine.kubelet?.image,
      'kube-apiserver': cluster.apiServer?.image,
      'kube-controller-manager': cluster.controllerManager?.image,
      'kube-scheduler': cluster.scheduler?.image,
      'kube-proxy': cluster.proxy?.image,
    },
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
