// The cluster record beside each profile: the profile says what should be, the record what runs
// actually did — which image went to which node and when, the versions deployed, the API endpoint
// once bootstrapped, and the sealed files holding the cluster's secrets. Runs update it when they
// settle; step executors seal and open secrets through it, so each sealed file is listed here.
import { randomUUID } from 'node:crypto'
import { AppError } from '../../src-shared/contract/app-error.ts'
import {
  clusterNodeOf,
  type ClusterArtifact,
  type ClusterNode,
  type ClusterRecord,
} from '../../src-shared/clusters/cluster-schema.ts'
import type { Run } from '../../src-shared/lifecycle/run-schema.ts'
import { stepIds } from '../../src-shared/lifecycle/step-ids.ts'
import type { ClusterProfile, ProfileNode } from '../../src-shared/profiles/profile-schema.ts'
import type { SealedSecrets } from '../secrets/sealed-secrets.ts'
import type { ClusterRepository } from './cluster-repository.ts'

/** Kubernetes API port of both distributions. */
const apiPort = 6443

export class ClusterService {
  private readonly repository: ClusterRepository
  private readonly sealed: SealedSecrets

  constructor(repository: ClusterRepository, sealed: SealedSecrets) {
    this.repository = repository
    this.sealed = sealed
  }

  list(): ClusterRecord[] {
    return this.repository.list()
  }

  get(ref: string): ClusterRecord {
    const found = this.repository.find(ref)
    if (!found) {
      throw new AppError(
        'not_found',
        `No cluster record "${ref}": nothing has been deployed from a profile of that name yet.`,
        'Deploy the profile first; its record appears once a node has been imaged.',
      )
    }
    return found
  }

  /** The record of a cluster by its id or profile name, or null. */
  find(ref: string): ClusterRecord | null {
    return this.repository.find(ref) ?? null
  }

  /** The record of the profile's cluster, created empty on first use. */
  forProfile(profileId: string | null, profile: ClusterProfile): ClusterRecord {
    const existing = this.repository.find(profileId ?? profile.name)
    if (existing) return existing
    const now = new Date().toISOString()
    const record: ClusterRecord = {
      id: randomUUID(),
      profileId,
      profileName: profile.name,
      distribution: profile.distribution,
      versions: {},
      apiEndpoint: null,
      readyAt: null,
      nodes: [],
      artifacts: [],
      lastRunId: null,
      createdAt: now,
      updatedAt: now,
      destroyedAt: null,
    }
    this.repository.save(record)
    return record
  }

  /**
   * Records what a settled run changed: nodes it imaged (with the image's hash), the versions and
   * API endpoint of a bootstrap or upgrade, the end of a destroy. A run that changed nothing
   * leaves no record behind.
   */
  recordRun(
    run: Run,
    profile: ClusterProfile,
    outputOf: (stepId: string) => Record<string, unknown> | undefined,
  ): void {
    const finished = new Map(
      run.steps.filter((step) => step.state === 'done' || step.state === 'skipped').map((s) => [s.stepId, s]),
    )
    if (finished.size === 0) return
    const existing = this.repository.find(run.profileId ?? run.profileName)
    // A restore is a deploy whose bootstrap recovers etcd: it records what it imaged the same way.
    const deploying = run.operation === 'deploy' || run.operation === 'restore'
    if (!existing && !deploying) return
    const record = existing ?? this.forProfile(run.profileId, profile)
    const now = new Date().toISOString()
    const next: ClusterRecord = { ...record, lastRunId: run.id, updatedAt: now }

    if (deploying) {
      const imaged: ClusterNode[] = []
      for (const node of profile.nodes) {
        const flash = finished.get(stepIds.flash(node.hostname))
        if (!flash) continue
        const flashStep = run.plan.steps.find((step) => step.id === flash.stepId)
        const imageKey = flashStep?.kind === 'node.flash' ? flashStep.params.imageKey : undefined
        const image = imageKey ? outputOf(stepIds.imagePrepare(imageKey)) : undefined
        // What an apply step recorded as it went (see recordAppliedConfig) stays.
        const kept = next.nodes.find((n) => n.hostname === node.hostname)
        imaged.push({
          ...clusterNodeOf(node),
          imageSha256: typeof image?.sha256 === 'string' ? image.sha256 : null,
          flashedAt: flash.finishedAt,
          apiAddress: kept?.apiAddress ?? null,
          configSha256: kept?.configSha256 ?? null,
          sshAddress: kept?.sshAddress ?? null,
          sshPort: kept?.sshPort ?? null,
        })
      }
      if (imaged.length > 0) {
        const kept = next.nodes.filter((node) => !imaged.some((n) => n.hostname === node.hostname))
        next.nodes = [...kept, ...imaged].filter((node) =>
          profile.nodes.some((n) => n.hostname === node.hostname),
        )
        next.versions = profile.versions
        next.destroyedAt = null
        // Nodes imaged again: the cluster is Ready only once this run's last step says so.
        next.readyAt = null
      }
      if (finished.has(stepIds.talosExport) || finished.has(stepIds.k3sKubeconfig)) {
        // K3s's export says which server its kubeconfig names (on the virtual board, the loopback API).
        const exported = outputOf(stepIds.k3sKubeconfig)?.server
        next.apiEndpoint =
          typeof exported === 'string' ? exported : `https://${profile.network.apiEndpoint}:${apiPort}`
      }
      const ready = finished.get(stepIds.clusterReady)
      if (ready) next.readyAt = ready.finishedAt
    } else if (run.operation === 'upgrade' && run.state === 'done') {
      // The versions the run moved the nodes to: its options, else the profile's.
      next.versions = {
        ...profile.versions,
        ...(run.plan.options?.talosVersion ? { talos: run.plan.options.talosVersion } : {}),
        ...(run.plan.options?.k3sVersion ? { k3s: run.plan.options.k3sVersion } : {}),
        ...(run.plan.options?.kubernetesVersion ? { kubernetes: run.plan.options.kubernetesVersion } : {}),
      }
    } else if (run.operation === 'destroy' && run.state === 'done') {
      next.destroyedAt = now
      next.apiEndpoint = null
      next.readyAt = null
    }
    this.repository.save(next)
  }

  /** Seals a secret of the cluster into its own file and lists that file among the artifacts. */
  async sealSecret(clusterId: string, name: string, value: string | Uint8Array): Promise<ClusterArtifact> {
    const path = await this.sealed.seal(this.get(clusterId).id, name, value)
    // Read again after sealing: steps running at the same time may have changed the record since.
    const record = this.get(clusterId)
    const artifact: ClusterArtifact = { name, path, sealedAt: new Date().toISOString() }
    this.repository.save({
      ...record,
      artifacts: [...record.artifacts.filter((a) => a.name !== name), artifact],
      updatedAt: artifact.sealedAt,
    })
    return artifact
  }

  /** The sha256 of the machine config last applied to a node of the profile's cluster, if recorded. */
  appliedConfigSha256(profileName: string, hostname: string): string | null {
    const record = this.repository.find(profileName)
    return record?.nodes.find((node) => node.hostname === hostname)?.configSha256 ?? null
  }

  /**
   * Records, as soon as a node took its machine config, where its API answers and which config it
   * has — not when the run settles, so that a run killed while the node reboots knows it on resume.
   * A node flashed again keeps these: it answers in maintenance mode, not with this config.
   */
  recordAppliedConfig(
    profileId: string | null,
    profile: ClusterProfile,
    node: ProfileNode,
    applied: { apiAddress: string; configSha256: string },
  ): void {
    this.updateNode(profileId, profile, node, applied)
  }

  /**
   * Records where a K3s node answers SSH as soon as a step reached it there, so that commands
   * outside a run (`clusterdeck node exec`) find the node, and a resumed run does too.
   */
  recordSshEndpoint(
    profileId: string | null,
    profile: ClusterProfile,
    node: ProfileNode,
    ssh: { sshAddress: string; sshPort: number },
  ): void {
    this.updateNode(profileId, profile, node, ssh)
  }

  /** Where the record says the node answers SSH, if a step reached it before. */
  sshEndpoint(profileName: string, hostname: string): { sshAddress: string; sshPort: number } | null {
    const node = this.repository.find(profileName)?.nodes.find((n) => n.hostname === hostname)
    return node?.sshAddress && node.sshPort ? { sshAddress: node.sshAddress, sshPort: node.sshPort } : null
  }

  private updateNode(
    profileId: string | null,
    profile: ClusterProfile,
    node: ProfileNode,
    patch: Partial<ClusterNode>,
  ): void {
    const record = this.forProfile(profileId, profile)
    const existing = record.nodes.find((candidate) => candidate.hostname === node.hostname)
    const entry: ClusterNode = existing ? { ...existing, ...patch } : { ...clusterNodeOf(node), ...patch }
    this.repository.save({
      ...record,
      nodes: existing
        ? record.nodes.map((candidate) => (candidate === existing ? entry : candidate))
        : [...record.nodes, entry],
      updatedAt: new Date().toISOString(),
    })
  }

  /** Deletes the cluster's sealed files and their data key (a destroy); the record stays as history. */
  async forgetSecrets(clusterId: string): Promise<void> {
    const record = this.get(clusterId)
    await this.sealed.forget(record.id)
    this.repository.save({ ...record, artifacts: [], updatedAt: new Date().toISOString() })
  }

  /** The names of the cluster's sealed files as they are on disk. */
  sealedNames(clusterId: string): string[] {
    return this.sealed.list(this.get(clusterId).id)
  }

  async openSecret(clusterId: string, name: string): Promise<Buffer> {
    return this.sealed.open(this.get(clusterId).id, name)
  }
}
