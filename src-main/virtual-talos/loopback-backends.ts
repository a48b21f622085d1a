// The backends of virtual control planes from a loopback cluster (kwokctl, docs/test-peers.md):
// its kubeconfig for the Kubernetes API and its etcd client URL for snapshots. The embedded virtual
// board and `clusterdeck virtual-board` take them from the environment; without them a virtual
// node answers `talosctl kubeconfig` and `talosctl etcd snapshot` with an error saying so.
import { accessSync, constants } from 'node:fs'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { VirtualTalosBackends } from './virtual-talos-backends.ts'

export const kubeconfigVariable = 'CLUSTERDECK_VIRTUAL_KUBECONFIG'
export const etcdVariable = 'CLUSTERDECK_VIRTUAL_ETCD'

const kubeconfigHint = `Set ${kubeconfigVariable} to the kubeconfig of a running loopback cluster, or unset it (docs/virtual-board.md).`

export interface LoopbackBackendsOptions {
  /** The loopback cluster's kubeconfig file (its certificates may be files beside it). */
  kubeconfigPath?: string
  /** etcd's client URL, e.g. http://127.0.0.1:2379 (plain gRPC, as kwokctl starts it). */
  etcdEndpoint?: string
}

// The Kubernetes client and gRPC are loaded only when a backend is asked for: a virtual board
// without backends starts without them.
export async function loopbackBackends(options: LoopbackBackendsOptions): Promise<VirtualTalosBackends> {
  const backends: VirtualTalosBackends = {}
  if (options.kubeconfigPath !== undefined) {
    readable(options.kubeconfigPath)
    const { loopbackKubernetes } = await import('../kube/virtual-kubernetes.ts')
    try {
      backends.kubernetes = loopbackKubernetes(options.kubeconfigPath)
    } catch (error) {
      throw error instanceof AppError ? new AppError(error.code, error.message, kubeconfigHint) : error
    }
  }
  if (options.etcdEndpoint !== undefined) {
    const endpoint = etcdUrl(options.etcdEndpoint)
    const { loopbackEtcd } = await import('./loopback-etcd.ts')
    backends.etcd = loopbackEtcd(endpoint)
  }
  return backends
}

/** Undefined when neither variable is set: the virtual nodes then run without backends. */
export async function backendsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Promise<VirtualTalosBackends | undefined> {
  const kubeconfigPath = env[kubeconfigVariable]?.trim() || undefined
  const etcdEndpoint = env[etcdVariable]?.trim() || undefined
  if (kubeconfigPath === undefined && etcdEndpoint === undefined) return undefined
  return loopbackBackends({ kubeconfigPath, etcdEndpoint })
}

function readable(path: string): void {
  try {
    accessSync(path, constants.R_OK)
  } catch (error) {
    throw new AppError(
      'invalid_input',
      `The loopback cluster's kubeconfig ${path} cannot be read (${(error as NodeJS.ErrnoException).code}).`,
      kubeconfigHint,
    )
  }
}

function etcdUrl(endpoint: string): string {
  let url: URL | undefined
  try {
    url = new URL(endpoint)
  } catch {
    url = undefined
  }
  if (url?.protocol !== 'http:' || url.port === '' || url.pathname !== '/') {
    throw new AppError(
      'invalid_input',
      `"${endpoint}" is not the client URL of a loopback etcd, such as http://127.0.0.1:2379 (plain http, with its port).`,
      `Set ${etcdVariable} to the etcd client URL of a running loopback cluster, or unset it (docs/virtual-board.md).`,
    )
  }
  return url.origin
}
