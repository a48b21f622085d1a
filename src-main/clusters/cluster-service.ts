// The cluster record beside each profile: the profile says what should be, the record what runs
// actually did — which image went to which node and when, the versions deployed, the API endpoint
// once bootstrapped, and the sealed files holding the cluster's secrets. Runs update it when they
// settle; step executors seal and open secrets through it, so each sealed file is listed here.
import { randomUUID } from 'node:crypto'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { ClusterArtifact, ClusterNode, ClusterRecord } from '../../src-shared/clusters/cluster-schema.ts'
import type { Run } from '../../src-shared/lifecycle/run-schema.ts'
import { stepIds } from '../../src-shared/lifecycle/step-ids.ts'
import type { ClusterProfile } from '../../src-shared/profiles/profile-schema.ts'
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
    if (!existing && run.operation !== 'deploy') return
    const record = existing ?? this.forProfile(run.profileId, profile)
    const now = new Date().toISOString()
    const next: ClusterRecord = { ...record, lastRunId: run.id, updatedAt: now }

    if (run.operation === 'deploy') {
      const imaged: ClusterNode[] = []
      for (const node of profile.nodes) {
        const flash = finished.get(stepIds.flash(node.hostname))
        if (!flash) continue
        const flashStep = run.plan.steps.find((step) => step.id === flash.stepId)
        const imageKey = flashStep?.kind === 'node.flash' ? flashStep.params.imageKey : undefined
        const image = imageKey ? outputOf(stepIds.imagePrepare(imageKey)) : undefined
        // A node flashed again is in maintenance mode until its config is applied again.
        const kept = flash.state === 'done' ? undefined : next.nodes.find((n) => n.hostname === node.hostname)
        imaged.push({
          hostname: node.hostname,
          role: node.role,
          board: node.board,
          slot: node.slot,
          address: node.address,
          imageSha256: typeof image?.sha256 === 'string' ? image.sha256 : null,
          flashedAt: flash.finishedAt,
          apiAddress: kept?.apiAddress ?? null,
          configSha256: kept?.configSha256 ?? null,
        })
      }
      if (imaged.length > 0) {
        const kept = next.nodes.filter((node) => !imaged.some((n) => n.hostname === node.hostname))
        next.nodes = [...kept, ...imaged].filter((node) =>
          profile.nodes.some((n) => n.hostname === node.hostname),
        )
        next.versions = profile.versions
        next.destroyedAt = null
      }
      next.nodes = next.nodes.map((node) => {
        const applied = finished.has(stepIds.talosApply(node.hostname))
          ? outputOf(stepIds.talosApply(node.hostname))
          : undefined
        return typeof applied?.apiAddress === 'string' && typeof applied.configSha256 === 'string'
          ? { ...node, apiAddress: applied.apiAddress, configSha256: applied.configSha256 }
          : node
      })
      if (finished.has(stepIds.talosExport) || finished.has(stepIds.k3sKubeconfig)) {
        next.apiEndpoint = `https://${profile.network.apiEndpoint}:${apiPort}`
      }
    } else if (run.operation === 'upgrade' && run.state === 'done') {
      next.versions = profile.versions
    } else if (run.operation === 'destroy' && run.state === 'done') {
      next.destroyedAt = now
      next.apiEndpoint = null
    }
    this.repository.save(next)
  }

  /** Seals a secret of the cluster into its own file and lists that file among the artifacts. */
  async sealSecret(clusterId: string, name: string, value: string | Uint8Array): Promise<ClusterArtifact> {
    const record = this.get(clusterId)
    const path = await this.sealed.seal(record.id, name, value)
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

  async openSecret(clusterId: string, name: string): Promise<Buffer> {
    return this.sealed.open(this.get(clusterId).id, name)
  }
}
