// What the user does with a bootstrapped cluster's credentials: take the kubeconfig or talosconfig
// (as sealed at bootstrap), merge one into their own config file, and read each node's machine
// config with its secrets masked. Everything is opened from the sealed files on demand and handed
// to the caller only; nothing here logs.
import { homedir } from 'node:os'
import { delimiter, join } from 'node:path'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { ClusterRecord } from '../../src-shared/clusters/cluster-schema.ts'
import type { ConfigKind, MergeOutcome } from '../../src-shared/contract/clusters.ts'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'
import type { Handlers } from '../core/dispatcher.ts'
import { maskMachineConfig } from '../talos/mask-machine-config.ts'
import type { ClusterService } from './cluster-service.ts'
import { mergeConfig, type OnConflict } from './config-merge.ts'
import { readTextFile, writePrivateFile } from './private-file.ts'

export interface ConfigFile {
  fileName: string
  content: string
}

export interface MachineConfigView {
  hostname: string
  role: 'control-plane' | 'worker'
  yaml: string
}

export class ClusterAccess {
  private readonly clusters: ClusterService
  /** Read on every call: the app's $KUBECONFIG, $TALOSCONFIG and $HOME as they are now. */
  private readonly env: () => NodeJS.ProcessEnv

  constructor(clusters: ClusterService, env: () => NodeJS.ProcessEnv = () => process.env) {
    this.clusters = clusters
    this.env = env
  }

  async config(ref: string, kind: ConfigKind): Promise<ConfigFile> {
    const record = this.clusters.get(ref)
    return { fileName: `${record.profileName}-${kind}.yaml`, content: await this.open(record, kind) }
  }

  async machineConfigs(ref: string): Promise<MachineConfigView[]> {
    const record = this.clusters.get(ref)
    const sealed = new Set(record.artifacts.map((artifact) => artifact.name))
    const nodes = record.nodes.filter((node) => sealed.has(sealedNames.machineConfig(node.hostname)))
    return Promise.all(
      nodes.map(async ({ hostname, role }) => ({
        hostname,
        role,
        yaml: maskMachineConfig(await this.open(record, sealedNames.machineConfig(hostname))),
      })),
    )
  }

  /** Grafana's admin login: the user the chart creates, the password sealed at the monitoring install. */
  async addonSecret(ref: string): Promise<{ user: string; password: string }> {
    const record = this.clusters.get(ref)
    return { user: 'admin', password: await this.open(record, sealedNames.grafanaAdminPassword) }
  }

  /** The file a merge writes by default, and the context it adds. */
  mergeTarget(ref: string, kind: ConfigKind): { path: string; context: string } {
    return { path: this.defaultPath(kind), context: this.clusters.get(ref).profileName }
  }

  async mergeConfig(request: {
    ref: string
    kind: ConfigKind
    path?: string | undefined
    onConflict: OnConflict
  }): Promise<{ path: string; context: string; outcome: MergeOutcome }> {
    const record = this.clusters.get(request.ref)
    const incoming = await this.open(record, request.kind)
    const path = request.path ?? this.defaultPath(request.kind)
    const { text, context, outcome } = mergeConfig({
      kind: request.kind,
      existing: readTextFile(path),
      incoming,
      name: record.profileName,
      onConflict: request.onConflict,
      path,
    })
    if (text !== null) writePrivateFile(path, text, { replace: true })
    return { path, context, outcome }
  }

  private defaultPath(kind: ConfigKind): string {
    const env = this.env()
    const home = env.HOME || homedir()
    if (kind === 'talosconfig') return env.TALOSCONFIG || join(home, '.talos', 'config')
    // kubectl writes to the first file $KUBECONFIG lists.
    const first = (env.KUBECONFIG ?? '').split(delimiter).find((entry) => entry !== '')
    return first ?? join(home, '.kube', 'config')
  }

  private async open(record: ClusterRecord, name: string): Promise<string> {
    if (!record.artifacts.some((artifact) => artifact.name === name)) throw notSealed(record, name)
    return (await this.clusters.openSecret(record.id, name)).toString('utf8')
  }
}

export function notSealed(record: ClusterRecord, name: string): AppError {
  if (name === 'talosconfig' && record.distribution === 'k3s')
    return new AppError('not_found', `Cluster "${record.profileName}" runs K3s: it has no talosconfig.`)
  if (name === sealedNames.grafanaAdminPassword) {
    return new AppError(
      'not_found',
      `Cluster "${record.profileName}" has no Grafana password: it is generated and sealed when the monitoring add-on is installed.`,
      `Enable monitoring in the profile and deploy it (clusterdeck deploy ${record.profileName}).`,
    )
  }
  return new AppError(
    'not_found',
    `Cluster "${record.profileName}" has no ${name} yet: it is sealed when a deploy bootstraps the cluster.`,
    `Deploy the profile through its bootstrap (clusterdeck deploy ${record.profileName}), then try again.`,
  )
}

type AccessRequest =
  | 'clusters.kubeconfig'
  | 'clusters.talosconfig'
  | 'clusters.machineConfigs'
  | 'clusters.mergeTarget'
  | 'clusters.mergeConfig'
  | 'clusters.addonSecret'

export function clusterAccessHandlers(clusters: ClusterService): Pick<Handlers, AccessRequest> {
  const access = new ClusterAccess(clusters)
  return {
    'clusters.kubeconfig': ({ ref }) => access.config(ref, 'kubeconfig'),
    'clusters.talosconfig': ({ ref }) => access.config(ref, 'talosconfig'),
    'clusters.machineConfigs': ({ ref }) => access.machineConfigs(ref),
    'clusters.mergeTarget': ({ ref, kind }) => access.mergeTarget(ref, kind),
    'clusters.mergeConfig': (request) => access.mergeConfig(request),
    'clusters.addonSecret': ({ ref }) => access.addonSecret(ref),
  }
}
