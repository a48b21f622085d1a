// Watches the clusters someone is looking at: `clusters.health` opens the cluster's sealed
// kubeconfig, starts its informers (kube/cluster-watch.ts) and answers with the first snapshot;
// every change after that is judged again (cluster-health.ts) and announced as
// clusters.healthChanged. A watch lives for a lease renewed by each request, so a closed window
// stops it. A cluster that cannot be reached is reported as such, and tried again after a pause.
import { enabledAddons, readinessChecks } from '../../src-shared/addons/addon-catalogue.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { ClusterHealth } from '../../src-shared/clusters/health-schema.ts'
import type { ClusterRecord } from '../../src-shared/clusters/cluster-schema.ts'
import type { SavedProfile } from '../../src-shared/profiles/profile-schema.ts'
import type { EventBus } from '../core/event-bus.ts'
import { ClusterWatch } from '../kube/cluster-watch.ts'
import { KubeObjects } from '../kube/kube-objects.ts'
import { notSealed } from './cluster-access.ts'
import { summariseHealth, unreachableHealth } from './cluster-health.ts'
import type { ClusterService } from './cluster-service.ts'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'

export interface ClusterHealthDependencies {
  clusters: Pick<ClusterService, 'get' | 'openSecret'>
  profiles: { find(ref: string): SavedProfile | undefined }
  events: EventBus
  /** Each release's chart by "namespace/release" (helm list), or null when helm cannot be asked. */
  charts(kubeconfig: string): Promise<Map<string, string> | null>
  /** How long a watch lives after the last request (default 60 s). */
  leaseMs?: number
  /** How long an unreachable cluster waits before it is tried again (default 15 s). */
  retryMs?: number
  /** Changes arriving this close together are judged once (default 250 ms). */
  settleMs?: number
}

export class ClusterHealthService {
  private readonly deps: ClusterHealthDependencies
  private readonly watched = new Map<string, WatchedCluster>()

  constructor(deps: ClusterHealthDependencies) {
    this.deps = deps
  }

  async health(ref: string): Promise<ClusterHealth> {
    const record = this.deps.clusters.get(ref)
    if (record.destroyedAt !== null) {
      throw new AppError(
        'not_found',
        `Cluster "${record.profileName}" was destroyed (${record.destroyedAt}): there is nothing to watch.`,
        `Deploy the profile again (clusterdeck deploy ${record.profileName}).`,
      )
    }
    if (!record.artifacts.some((artifact) => artifact.name === sealedNames.kubeconfig))
      throw notSealed(record, sealedNames.kubeconfig)
    let cluster = this.watched.get(record.id)
    if (!cluster) {
      const kubeconfig = (await this.deps.clusters.openSecret(record.id, sealedNames.kubeconfig)).toString(
        'utf8',
      )
      cluster = new WatchedCluster(record, kubeconfig, this.deps, () => this.watched.delete(record.id))
      this.watched.set(record.id, cluster)
    }
    return cluster.renew()
  }

  async close(): Promise<void> {
    await Promise.all([...this.watched.values()].map((cluster) => cluster.stop()))
  }
}

class WatchedCluster {
  private readonly record: ClusterRecord
  private readonly kubeconfig: string
  private readonly deps: ClusterHealthDependencies
  private readonly onStopped: () => void
  private watch: ClusterWatch | undefined
  private latest: ClusterHealth | undefined
  private first: Promise<void>
  private leaseTimer: NodeJS.Timeout | undefined
  private retryTimer: NodeJS.Timeout | undefined
  private settleTimer: NodeJS.Timeout | undefined
  private judging: Promise<void> | undefined
  private stopped = false
  /** The release revisions the charts were asked for, and their answer. */
  private charts: { revisions: string; charts: Map<string, string> | null } | undefined

  constructor(
    record: ClusterRecord,
    kubeconfig: string,
    deps: ClusterHealthDependencies,
    onStopped: () => void,
  ) {
    this.record = record
    this.kubeconfig = kubeconfig
    this.deps = deps
    this.onStopped = onStopped
    this.first = this.connect()
  }

  async renew(): Promise<ClusterHealth> {
    clearTimeout(this.leaseTimer)
    this.leaseTimer = setTimeout(() => void this.stop(), this.deps.leaseMs ?? 60_000)
    this.leaseTimer.unref()
    await this.first
    await this.judging
    return this.latest!
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const timer of [this.leaseTimer, this.retryTimer, this.settleTimer]) clearTimeout(timer)
    this.onStopped()
    await this.watch?.stop()
  }

  private async connect(): Promise<void> {
    let watch: ClusterWatch | undefined
    try {
      watch = new ClusterWatch({
        kubeconfig: this.kubeconfig,
        onChange: () => this.changed(),
        onBroken: (error) => this.unreachable(error, watch?.server ?? null),
      })
      await watch.start()
      if (this.stopped) return void (await watch.stop())
      this.watch = watch
      await this.judge()
    } catch (error) {
      if (!(error instanceof AppError)) throw error
      this.unreachable(error, watch?.server ?? this.record.apiEndpoint)
    }
  }

  private unreachable(error: AppError, server: string | null): void {
    this.watch = undefined
    this.publish(unreachableHealth(this.record.profileName, server, error, new Date()))
    if (this.stopped) return
    this.retryTimer = setTimeout(() => void this.connect(), this.deps.retryMs ?? 15_000)
    this.retryTimer.unref()
  }

  private changed(): void {
    clearTimeout(this.settleTimer)
    this.settleTimer = setTimeout(() => {
      // One judgement at a time; a change during one is judged after it.
      this.judging = (this.judging ?? Promise.resolve()).then(() => this.judge())
    }, this.deps.settleMs ?? 250)
  }

  private async judge(): Promise<void> {
    const watch = this.watch
    if (!watch || this.stopped) return
    const facts = watch.facts()
    const saved = this.deps.profiles.find(this.record.profileId ?? this.record.profileName)
    const entries = saved ? enabledAddons(saved.profile) : []
    const kube = new KubeObjects(this.kubeconfig)
    const revisions = facts.releases
      .map((r) => `${r.namespace}/${r.name}@${r.revision}`)
      .sort()
      .join(',')
    if (this.charts?.revisions !== revisions)
      this.charts = { revisions, charts: await this.deps.charts(this.kubeconfig) }
    const charts = this.charts.charts
    const addons = await Promise.all(
      entries.map(async (entry) => ({
        entry,
        checks: await Promise.all(
          readinessChecks(entry.key, saved!.profile).map(async (check) => {
            const { ready, detail } = await kube.check(check, entry.namespace)
            return { ready, detail }
          }),
        ),
        chart: charts?.get(`${entry.namespace}/${entry.release}`) ?? null,
      })),
    )
    if (this.watch !== watch) return
    this.publish(
      summariseHealth({
        cluster: this.record.profileName,
        server: watch.server,
        facts,
        addons,
        now: new Date(),
      }),
    )
  }

  /** Announces a snapshot that differs from the last in more than its time. */
  private publish(health: ClusterHealth): void {
    const same =
      this.latest !== undefined &&
      JSON.stringify({ ...this.latest, checkedAt: '' }) === JSON.stringify({ ...health, checkedAt: '' })
    this.latest = health
    if (!same) this.deps.events.emit('clusters.healthChanged', health)
  }
}
