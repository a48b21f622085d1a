// The machine API calls as one virtual Talos node answers them itself (apid-proxy.ts decides which
// node that is). Permissions follow Talos's rules for machined: each call names the roles it
// admits; a maintenance node serves an unauthenticated client as os:reader, so only
// ApplyConfiguration works there, and calls it does not have at all answer "not implemented".
import { randomUUID } from 'node:crypto'
import { etcdSnapshotIntact } from '../day2/snapshot-file.ts'
import { kubeconfigArchive } from './kubeconfig-archive.ts'
import { MachineConfigError, parseMachineConfig } from './machine-config.ts'
import { RpcError, rpcCode } from './rpc-error.ts'
import { osCaCertificate, osCaFromConfig } from './talos-certs.ts'
import { serviceList } from './talos-services.ts'
import type { VirtualTalosNode } from './virtual-talos-node.ts'

export interface Caller {
  roles: Set<string>
}

type Request = Record<string, unknown>
type Message = Record<string, unknown>
type Unary = (node: VirtualTalosNode, request: Request) => Promise<Message>
type Stream = (node: VirtualTalosNode, request: Request, signal: AbortSignal) => AsyncIterable<Uint8Array>

const admin = ['os:admin']
const operator = ['os:admin', 'os:operator']
const anyone = ['os:admin', 'os:operator', 'os:reader']

interface Rule {
  roles: string[]
  /** Whether the maintenance service has the call at all. */
  maintenance?: boolean
}

const rules: Record<string, Rule> = {
  ApplyConfiguration: { roles: admin, maintenance: true },
  Bootstrap: { roles: admin },
  EtcdRecover: { roles: admin },
  EtcdSnapshot: { roles: [...operator, 'os:etcd:backup'] },
  Kubeconfig: { roles: admin },
  Reboot: { roles: operator },
  Reset: { roles: admin, maintenance: true },
  ServiceList: { roles: anyone },
  Shutdown: { roles: operator },
  Upgrade: { roles: admin, maintenance: true },
  Version: { roles: anyone, maintenance: true },
}

/** Refuses the call the way the node's mode and the caller's roles would. */
export function authorize(node: VirtualTalosNode, method: string, caller: Caller): void {
  const rule = rules[method]
  if (!rule || (node.mode === 'maintenance' && !rule.maintenance))
    throw new RpcError(rpcCode.UNIMPLEMENTED, `method ${method} not implemented`)
  if (node.mode === 'maintenance') {
    // ApplyConfiguration is open to the maintenance client; its other calls want os:admin.
    if (method !== 'ApplyConfiguration' && !caller.roles.has('os:admin'))
      throw new RpcError(rpcCode.UNIMPLEMENTED, 'API is not implemented in maintenance mode')
    return
  }
  if (!rule.roles.some((role) => caller.roles.has(role)))
    throw new RpcError(rpcCode.PERMISSION_DENIED, 'not authorized')
}

function configured(node: VirtualTalosNode) {
  const config = node.config
  if (node.mode !== 'configured' || !config)
    throw new RpcError(rpcCode.UNAVAILABLE, 'the node is not configured')
  return config
}

function controlPlaneOnly(node: VirtualTalosNode, apiName: string) {
  const config = configured(node)
  if (config.type !== 'controlplane')
    throw new RpcError(rpcCode.UNIMPLEMENTED, `${apiName} is only available on control plane nodes`)
  return config
}

const modeDetails: Record<string, string> = {
  REBOOT: 'Applied configuration with a reboot',
  NO_REBOOT: 'Applied configuration without a reboot',
  STAGED: 'Staged configuration to be applied after the next reboot',
}

export const unaryMethods: Record<string, Unary> = {
  async Version(node) {
    return {
      version: {
        tag: node.version,
        sha: 'virtual',
        built: '',
        goVersion: 'go1.25',
        os: 'linux',
        arch: 'arm64',
      },
      platform: { name: 'metal', mode: 'metal' },
      features: { rbac: true },
    }
  },

  async ApplyConfiguration(node, request) {
    const requested = String(request.mode)
    if (node.mode === 'maintenance' && !['REBOOT', 'AUTO', 'TRY'].includes(requested))
      throw new RpcError(
        rpcCode.UNIMPLEMENTED,
        `apply configuration --mode='${requested.toLowerCase().replace(/_/g, '-')}' is not supported in maintenance mode`,
      )
    if (requested === 'TRY')
      throw new RpcError(
        rpcCode.UNIMPLEMENTED,
        "apply configuration --mode='try' is not supported by a virtual node",
      )
    let config
    try {
      config = parseMachineConfig(Buffer.from(request.data as Uint8Array).toString('utf8'))
      if (config.ca.key) osCaFromConfig(config.ca.crt, config.ca.key)
      else osCaCertificate(config.ca.crt)
    } catch (error) {
      if (error instanceof MachineConfigError) throw new RpcError(rpcCode.INVALID_ARGUMENT, error.message)
      throw new RpcError(
        rpcCode.INVALID_ARGUMENT,
        `configuration validation failed: machine.ca: ${String(error)}`,
      )
    }
    if (node.mode === 'maintenance') {
      if (request.dryRun)
        return {
          modeDetails:
            'Dry run summary:\nNode is running in maintenance mode and does not have a config yet.',
        }
      node.host.disk.config = config
      node.host.print('received new config from the maintenance service')
      node.host.print(`task install (1/1): installing Talos ${node.version}`)
      node.host.print('rebooting')
      node.afterReply('reboot')
      return {}
    }
    // AUTO applies without a reboot: the virtual node has nothing that would need one.
    const mode = requested === 'AUTO' ? 'NO_REBOOT' : requested
    if (request.dryRun) return { mode, modeDetails: `Dry run summary:\n${modeDetails[mode]}` }
    if (mode === 'STAGED') node.host.disk.staged = config
    else await node.replaceConfig(config)
    node.host.print(`apply config request: mode ${mode.toLowerCase()}`)
    if (mode === 'REBOOT') node.afterReply('reboot')
    return { mode, modeDetails: modeDetails[mode] }
  },

  async Bootstrap(node, request) {
    const config = configured(node)
    if (config.type !== 'controlplane')
      throw new RpcError(
        rpcCode.FAILED_PRECONDITION,
        'bootstrap can only be performed on a control plane node',
      )
    const { disk, fleet } = node.host
    if (disk.etcdData || fleet.hasEtcd(config.clusterId))
      throw new RpcError(rpcCode.ALREADY_EXISTS, 'etcd data directory is not empty')
    if (request.recoverEtcd) {
      // Talos recovers from the snapshot EtcdRecover uploaded; etcd's own snapshot ends with the
      // sha256 of what precedes it, checked unless told not to (a copied database file has none).
      const snapshot = disk.recoverSnapshot
      if (!snapshot)
        throw new RpcError(
          rpcCode.FAILED_PRECONDITION,
          'etcd recovery requested, but no snapshot was uploaded',
        )
      if (!request.recoverSkipHashCheck && !etcdSnapshotIntact(snapshot))
        throw new RpcError(rpcCode.UNKNOWN, 'failed to recover etcd: snapshot file integrity check failed')
      disk.recoveredFrom.push({ bytes: snapshot.length })
      disk.recoverSnapshot = undefined
      node.host.print(`recovering etcd from the uploaded snapshot (${snapshot.length} bytes)`)
    }
    disk.etcdData = true
    disk.bootstraps++
    node.host.print('bootstrap request received')
    node.host.print('service[etcd](Running): Health check successful')
    node.bootstrapped()
    return {}
  },

  async ServiceList(node) {
    const config = configured(node)
    return { services: serviceList(config.type, node.host.disk.etcdData) }
  },

  async Reboot(node) {
    configured(node)
    node.host.print('reboot via API received')
    node.afterReply('reboot')
    return { actorId: randomUUID() }
  },

  async Shutdown(node) {
    configured(node)
    node.host.print('shutdown via API received')
    node.leaveKubernetes()
    node.afterReply('power-off')
    return { actorId: randomUUID() }
  },

  async Reset(node, request) {
    const { disk } = node.host
    const partitions = (request.systemPartitionsToWipe as { label: string; wipe: boolean }[]).filter(
      (spec) => spec.wipe,
    )
    const userDisks = request.userDisksToWipe as string[]
    if (node.mode === 'maintenance' && partitions.length > 0)
      throw new RpcError(
        rpcCode.UNKNOWN,
        'system partitions to wipe params is not supported in the maintenance mode',
      )
    if (userDisks.length > 0 && request.mode === 'SYSTEM_DISK')
      throw new RpcError(
        rpcCode.UNKNOWN,
        "reset failed: invalid input, wipe mode SYSTEM_DISK doesn't support UserDisksToWipe parameter",
      )
    // Without labels the whole system disk is wiped (wipe mode ALL or SYSTEM_DISK).
    const labels =
      partitions.length > 0
        ? partitions.map((spec) => spec.label)
        : request.mode === 'USER_DISKS'
          ? []
          : ['STATE', 'EPHEMERAL', 'META']
    node.host.print(
      `reset request received: graceful ${String(request.graceful)}, wiping ${labels.join(', ') || 'no system partitions'}`,
    )
    // A graceful reset of a control plane leaves etcd first, which empties its data directory.
    if (request.graceful && node.config?.type === 'controlplane' && disk.etcdData) {
      node.host.print('leaving etcd cluster')
      disk.etcdData = false
    }
    node.leaveKubernetes()
    disk.wipedPartitions.push(...labels)
    disk.wipedUserDisks.push(...userDisks)
    if (labels.includes('STATE')) {
      disk.config = undefined
      disk.staged = undefined
    }
    if (labels.includes('EPHEMERAL')) disk.etcdData = false
    node.afterReply(request.reboot ? 'reboot' : 'power-off')
    return { actorId: randomUUID() }
  },

  async Upgrade(node, request) {
    const image = String(request.image)
    const tag = /:(v\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)$/.exec(image)?.[1]
    if (!tag)
      throw new RpcError(
        rpcCode.INVALID_ARGUMENT,
        `the installer image "${image}" names no Talos version tag (such as …/installer:v1.12.1)`,
      )
    if (node.mode === 'maintenance' && (request.preserve || request.stage || request.force))
      throw new RpcError(
        rpcCode.UNIMPLEMENTED,
        'upgrade --preserve, --stage, and --force are not supported in maintenance mode',
      )
    node.host.print(`upgrade request received: image ${image}`)
    // Like Talos, the node reports the new version only once it rebooted into it.
    node.afterReply('reboot', () => (node.host.disk.version = tag))
    return { ack: 'Upgrade request received', actorId: randomUUID() }
  },
}

/** An uploaded etcd snapshot, kept for the bootstrap that recovers from it. */
export function receiveEtcdSnapshot(node: VirtualTalosNode, snapshot: Buffer): Message {
  configured(node)
  node.host.disk.recoverSnapshot = snapshot
  node.host.print(`etcd snapshot received for recovery (${snapshot.length} bytes)`)
  return {}
}

const noBackend =
  'no Kubernetes API is behind this virtual node (start the loopback cluster: set CLUSTERDECK_VIRTUAL_KUBECONFIG and CLUSTERDECK_VIRTUAL_ETCD, see docs/virtual-board.md)'

export const streamMethods: Record<string, Stream> = {
  async *Kubeconfig(node) {
    const config = controlPlaneOnly(node, 'kubeconfig')
    const kubernetes = node.host.backends.kubernetes
    if (!kubernetes) throw new RpcError(rpcCode.FAILED_PRECONDITION, noBackend)
    yield kubeconfigArchive(await kubernetes.kubeconfigFor(config.clusterName))
  },

  async *EtcdSnapshot(node, _request, signal) {
    controlPlaneOnly(node, 'etcd snapshot')
    const etcd = node.host.backends.etcd
    if (!etcd) throw new RpcError(rpcCode.FAILED_PRECONDITION, noBackend)
    if (!node.host.disk.etcdData)
      throw new RpcError(rpcCode.FAILED_PRECONDITION, 'etcd is not running: the cluster is not bootstrapped')
    yield* etcd.snapshot(signal)
  },
}
