// One node of a profile's cluster outside runs (nodes.* requests, `clusterdeck node …`): found by
// profile and host name, reached where the cluster record says it answers SSH (else the profile's
// address, port 22), logged into with the cluster's sealed key (docs/ssh.md).
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { RequestInput, RequestOutput } from '../../src-shared/contract/index.ts'
import type { ClusterRecord } from '../../src-shared/clusters/cluster-schema.ts'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'
import type { ClusterProfile, SavedProfile } from '../../src-shared/profiles/profile-schema.ts'
import type { ClusterService } from '../clusters/cluster-service.ts'
import type { ProfileService } from '../profiles/profile-service.ts'
import { nodePasswordAccount, type SecretStore } from '../secrets/secret-store.ts'
import { presentedHostKey } from '../ssh/host-key-probe.ts'
import { trustHostKey, type HostKeyStore } from '../ssh/host-keys.ts'
import {
  defaultCommandTimeoutMs,
  sshTargetOf,
  type NodeEndpoint,
  type NodeShells,
} from '../ssh/node-shell.ts'
import type { SshConfigBlock } from '../ssh/ssh-config.ts'
import { resolveTarget } from '../ssh/ssh-connection.ts'

export interface NodeServiceDependencies {
  profiles: Pick<ProfileService, 'get'>
  clusters: Pick<ClusterService, 'get' | 'openSecret'>
  shells: NodeShells
  hostKeys: HostKeyStore
  secrets: SecretStore
  /** The user's ~/.ssh/config (the composition root reads the file once). */
  sshConfig(): SshConfigBlock[]
}

/** The profile's login user after first boot (its K3s `nodeAccess` section, docs/k3s-bootstrap.md). */
export function loginUserOf(
  profile: ClusterProfile & { nodeAccess?: { user?: string } },
): string | undefined {
  return profile.nodeAccess?.user
}

export class NodeService {
  private readonly deps: NodeServiceDependencies

  constructor(deps: NodeServiceDependencies) {
    this.deps = deps
  }

  async exec(input: RequestInput<'nodes.exec'>): Promise<RequestOutput<'nodes.exec'>> {
    const { saved, record, endpoint } = this.locate(input.profile, input.host)
    if (!record?.artifacts.some((artifact) => artifact.name === sealedNames.sshKey))
      throw new AppError(
        'not_found',
        `The cluster of "${saved.name}" has no SSH key yet, so Clusterdeck cannot log in to ${endpoint.hostname}.`,
        'Deploy the profile through the preparation of its nodes first; that generates and installs the key.',
      )
    const clusterKey = (await this.deps.clusters.openSecret(record.id, sealedNames.sshKey)).toString('utf8')
    const user = loginUserOf(saved.profile)
    const shell = await this.deps.shells.open({
      endpoint,
      profileName: saved.name,
      clusterKey,
      ...(user ? { user } : {}),
      // Outside a run there is no step log: the caller gets the command's own output.
      log: () => {},
      secrets: [],
      signal: new AbortController().signal,
    })
    try {
      const timeoutMs =
        input.timeoutSeconds === undefined ? defaultCommandTimeoutMs : input.timeoutSeconds * 1000
      return await shell.run({ command: input.command }, { timeoutMs })
    } finally {
      shell.close()
    }
  }

  async hostKey(input: RequestInput<'nodes.hostKey'>): Promise<RequestOutput<'nodes.hostKey'>> {
    const { host, port } = this.sshAddress(this.locate(input.profile, input.host).endpoint)
    const pin = this.deps.hostKeys.find(host, port)
    const presented = await presentedHostKey(host, port, { preferredType: pin?.algorithm ?? '' })
    return {
      host,
      port,
      pinned: pin ? { algorithm: pin.algorithm, fingerprint: pin.fingerprint } : null,
      presented,
    }
  }

  /** Pins the fingerprint the user confirmed, and only while the node presents exactly that key. */
  async trustHostKey(
    input: RequestInput<'nodes.trustHostKey'>,
  ): Promise<RequestOutput<'nodes.trustHostKey'>> {
    const { endpoint } = this.locate(input.profile, input.host)
    const { host, port } = this.sshAddress(endpoint)
    const { fingerprint } = input
    // The pinned key's type is asked for first, as by the login that was refused, so the key
    // compared is the one its refusal named.
    const pin = this.deps.hostKeys.find(host, port)
    const presented = await presentedHostKey(host, port, { preferredType: pin?.algorithm ?? '' })
    if (presented.fingerprint !== fingerprint)
      throw new AppError(
        'conflict',
        `${endpoint.hostname} presents ${presented.fingerprint} now, not ${fingerprint}: nothing was trusted.`,
        'Check the key on the node (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) and trust the one it presents only if they match.',
        { expected: fingerprint, actual: presented.fingerprint, host, port: String(port) },
      )
    trustHostKey(this.deps.hostKeys, host, port, presented.algorithm, fingerprint)
    return { host, port, pinned: presented, presented }
  }

  async setPassword(input: RequestInput<'nodes.setPassword'>): Promise<RequestOutput<'nodes.setPassword'>> {
    const saved = this.deps.profiles.get(input.profile)
    await this.deps.secrets.set(nodePasswordAccount(saved.name), input.password)
    return {}
  }

  async clearPassword(
    input: RequestInput<'nodes.clearPassword'>,
  ): Promise<RequestOutput<'nodes.clearPassword'>> {
    const saved = this.deps.profiles.get(input.profile)
    return { cleared: await this.deps.secrets.delete(nodePasswordAccount(saved.name)) }
  }

  /** The node of the profile and where it answers SSH: the cluster record's address, else the profile's. */
  private locate(
    profileRef: string,
    hostname: string,
  ): { saved: SavedProfile; record: ClusterRecord | undefined; endpoint: NodeEndpoint } {
    const saved = this.deps.profiles.get(profileRef)
    const node = saved.profile.nodes.find(
      (candidate) => candidate.hostname.toLowerCase() === hostname.toLowerCase(),
    )
    if (!node)
      throw new AppError(
        'not_found',
        `The profile "${saved.name}" has no node "${hostname}".`,
        `Its nodes are ${saved.profile.nodes.map((candidate) => candidate.hostname).join(', ')}.`,
      )
    const record = this.recordOf(saved.name)
    const recorded = record?.nodes.find((candidate) => candidate.hostname === node.hostname)
    return {
      saved,
      record,
      endpoint: {
        hostname: node.hostname,
        host: recorded?.sshAddress ?? node.address,
        port: recorded?.sshPort ?? 22,
      },
    }
  }

  private recordOf(profileName: string): ClusterRecord | undefined {
    try {
      return this.deps.clusters.get(profileName)
    } catch (error) {
      if (error instanceof AppError && error.code === 'not_found') return undefined
      throw error
    }
  }

  /** The address and port a login connects to (after ~/.ssh/config), under which its key is pinned. */
  private sshAddress(endpoint: NodeEndpoint): { host: string; port: number } {
    const { host, port } = resolveTarget(sshTargetOf(endpoint), this.deps.sshConfig())
    return { host, port }
  }
}
