// Wires cluster profiles, the lifecycle engine with the steps this version can run, and the cluster
// records with their sealed secrets, and answers their requests (profiles.*, lifecycle.*, clusters.*).
import { AppError } from '../../src-shared/contract/app-error.ts'
import { runReportHtml, runReportMarkdown } from '../../src-shared/lifecycle/run-report.ts'
import { addonInstallStep } from '../addons/addon-install-step.ts'
import type { BmcService } from '../bmc/bmc-service.ts'
import type { BoardService } from '../boards/board-service.ts'
import type { Handlers } from '../core/dispatcher.ts'
import type { EventBus } from '../core/event-bus.ts'
import { clusterAccessHandlers } from '../clusters/cluster-access.ts'
import { ClusterRepository } from '../clusters/cluster-repository.ts'
import { ClusterService } from '../clusters/cluster-service.ts'
import type { FlashHistory } from '../flash/flash-history.ts'
import type { FlashService } from '../flash/flash-service.ts'
import type { ImageCache } from '../images/image-cache.ts'
import { ProfileRepository } from '../profiles/profile-repository.ts'
import { ProfileService } from '../profiles/profile-service.ts'
import { SealedSecrets } from '../secrets/sealed-secrets.ts'
import type { SecretStore } from '../secrets/secret-store.ts'
import type { Db } from '../store/database.ts'
import { listNodeReadiness } from '../kube/kube-nodes.ts'
import { k3sWaitReadyStep } from '../k3s/k3s-kubeconfig-step.ts'
import type { K3sStepDependencies } from '../k3s/k3s-step-support.ts'
import { k3sSteps } from '../k3s/k3s-steps.ts'
import { generateClusterKey } from '../ssh/cluster-key.ts'
import type { NodeShells } from '../ssh/node-shell.ts'
import type { TalosStepDependencies } from '../talos/talos-step-support.ts'
import { talosSteps } from '../talos/talos-steps.ts'
import { talosWaitReadyStep } from '../talos/talos-wait-ready.ts'
import type { ToolsService } from '../tools/tools-service.ts'
import { LifecycleEngine } from './lifecycle-engine.ts'
import { byDistribution } from './step-executor.ts'
import { RunRepository } from './run-repository.ts'
import { imagePrepareStep, type ImagePrepareDependencies } from './steps/image-prepare-step.ts'
import { nodeFlashStep } from './steps/node-flash-step.ts'
import { nodeWaitBootStep } from './steps/node-wait-boot-step.ts'
import { clusterReadyStep } from './steps/cluster-ready-step.ts'
import { addonUninstallStep } from '../day2/addon-uninstall-step.ts'
import { removeBackups } from '../day2/backup-store.ts'
import { clusterForgetStep } from '../day2/cluster-forget-step.ts'
import type { Day2Dependencies } from '../day2/day2-support.ts'
import { etcdSnapshotStep, saveBackupStep } from '../day2/etcd-snapshot-step.ts'
import { kubernetesUpgradeStep } from '../day2/kubernetes-upgrade-step.ts'
import { nodePowerOffStep } from '../day2/node-power-off-step.ts'
import { k3sResetStep, k3sUpgradeStep } from '../day2/k3s-day2.ts'
import { talosResetStep } from '../day2/talos-reset-step.ts'
import { talosUpgradeStep } from '../day2/talos-upgrade-step.ts'
import { checkDay2Start } from '../day2/upgrade-checks.ts'
import { day2Handlers } from '../day2/day2-handlers.ts'

export interface LifecycleDependencies {
  db: Db
  /** Where sealed cluster secrets are written (clusters/<id>/secrets). */
  dataDir: string
  /** Holds each cluster's data key. */
  secrets: SecretStore
  events: EventBus
  boards: BoardService
  bmc: BmcService
  flash: FlashService
  history: FlashHistory
  cache: ImageCache
  fetchImage?: ImagePrepareDependencies['fetch']
  /** Resolves the managed tools: talosctl for the profile's Talos version, helm for the add-ons. */
  tools: Pick<ToolsService, 'resolve'>
  /** One chart repository serving every add-on's chart (CLUSTERDECK_CHART_REPOSITORY). */
  chartMirror?: string | undefined
  /** Tests shorten the boot poll (and the Talos and K3s steps' polls with it). */
  bootPollMs?: number
  /** Shells on K3s nodes over SSH (src-main/ssh/node-shell.ts); without it the K3s bootstrap fails, saying so. */
  nodeShells?: NodeShells | undefined
  /** The root password saved in the keychain for a profile's K3s nodes, if any. */
  nodePassword?(profileName: string): Promise<string | null>
}

// The cluster view's health is answered by core-domains.ts (clusters/cluster-health-service.ts).
type LifecycleHandlers = Pick<
  Handlers,
  Exclude<
    Extract<keyof Handlers, `profiles.${string}` | `lifecycle.${string}` | `clusters.${string}`>,
    'clusters.health'
  >
>

export function createLifecycle(deps: LifecycleDependencies): {
  engine: LifecycleEngine
  clusters: ClusterService
  handlers: LifecycleHandlers
} {
  const profiles = new ProfileService(new ProfileRepository(deps.db), deps.boards, deps.events)
  const runs = new RunRepository(deps.db)
  const clusters = new ClusterService(
    new ClusterRepository(deps.db),
    new SealedSecrets(deps.dataDir, deps.secrets),
  )
  const talos: TalosStepDependencies = {
    tools: deps.tools,
    boards: deps.boards,
    imageSourceUrl: (sha256) => deps.cache.find(sha256)?.sourceUrl ?? null,
    appliedConfigs: {
      sha256Of: (profileName, hostname) => clusters.appliedConfigSha256(profileName, hostname),
      record: (profile, node, applied) => clusters.recordAppliedConfig(null, profile, node, applied),
    },
    ...(deps.bootPollMs ? { pollMs: deps.bootPollMs } : {}),
  }
  const k3s: K3sStepDependencies = {
    nodeShells: deps.nodeShells,
    boards: deps.boards,
    sshEndpoints: {
      find: (profileName, hostname) => clusters.sshEndpoint(profileName, hostname),
      record: (profile, node, endpoint) => clusters.recordSshEndpoint(null, profile, node, endpoint),
    },
    ...(deps.nodePassword ? { nodePassword: deps.nodePassword } : {}),
    generateKey: generateClusterKey,
    ...(deps.bootPollMs ? { pollMs: deps.bootPollMs } : {}),
  }
  const day2: Day2Dependencies = {
    ...talos,
    bmc: deps.bmc,
    dataDir: deps.dataDir,
    clusterRecord: (profileName) => clusters.find(profileName),
    k3s,
    forgetSecrets: async (clusterId) => {
      await clusters.forgetSecrets(clusterId)
      await removeBackups(deps.dataDir, clusterId)
    },
  }
  const engine = new LifecycleEngine({
    runs,
    onRunSettled: (run, profile, outputOf) => clusters.recordRun(run, profile, outputOf),
    checkStart: (profile, plan) => checkDay2Start(clusters.find(profile.name), profile, plan),
    sealedSecrets: (run, profile) => {
      const clusterId = () => clusters.forProfile(run.profileId, profile).id
      return {
        seal: async (name, value) => void (await clusters.sealSecret(clusterId(), name, value)),
        open: async (name) => (await clusters.openSecret(clusterId(), name)).toString('utf8'),
      }
    },
    profiles,
    boardNames: async () => (await deps.boards.list()).map((board) => board.name),
    events: deps.events,
    executors: {
      'image.prepare': imagePrepareStep({
        cache: deps.cache,
        ...(deps.fetchImage ? { fetch: deps.fetchImage } : {}),
      }),
      'node.flash': nodeFlashStep({
        boards: deps.boards,
        bmc: deps.bmc,
        flash: deps.flash,
        history: deps.history,
        events: deps.events,
      }),
      'node.wait-boot': nodeWaitBootStep({
        boards: deps.boards,
        bmc: deps.bmc,
        ...(deps.bootPollMs ? { pollMs: deps.bootPollMs } : {}),
      }),
      ...talosSteps(talos),
      ...k3sSteps(k3s),
      'cluster.wait-ready': byDistribution({
        talos: talosWaitReadyStep({ ...talos, listNodeReadiness }),
        k3s: k3sWaitReadyStep({ listNodeReadiness, ...(deps.bootPollMs ? { pollMs: deps.bootPollMs } : {}) }),
      }),
      'addon.install': addonInstallStep({
        tools: deps.tools,
        dataDir: deps.dataDir,
        ...(deps.chartMirror ? { chartMirror: deps.chartMirror } : {}),
      }),
      'cluster.ready': clusterReadyStep({
        listNodeReadiness,
        ...(deps.bootPollMs ? { pollMs: deps.bootPollMs } : {}),
      }),
      'cluster.etcd-snapshot': etcdSnapshotStep(day2),
      'cluster.save-backup': saveBackupStep(day2),
      'node.upgrade-os': byDistribution({
        talos: talosUpgradeStep({ ...day2, listNodeReadiness }),
        k3s: k3sUpgradeStep(day2),
      }),
      'cluster.upgrade-kubernetes': kubernetesUpgradeStep(day2),
      'addon.uninstall': addonUninstallStep({ tools: deps.tools, dataDir: deps.dataDir }),
      'node.reset': byDistribution({ talos: talosResetStep(day2), k3s: k3sResetStep(day2) }),
      'node.power-off': nodePowerOffStep(day2),
      'cluster.forget': clusterForgetStep(day2),
    },
  })

  const handlers: LifecycleHandlers = {
    'profiles.list': () => profiles.list(),
    'profiles.get': ({ ref }) => profiles.get(ref),
    'profiles.validate': (input) => profiles.validate(input),
    'profiles.save': ({ profile }) => profiles.save(profile),
    'profiles.importYaml': ({ yaml, onConflict }) => profiles.importYaml(yaml, onConflict),
    'profiles.exportYaml': ({ ref }) => profiles.exportYaml(ref),
    'profiles.templates': () => profiles.templates(),
    'profiles.fromTemplate': ({ template, name, board }) => profiles.fromTemplate(template, name, board),
    'profiles.remove': ({ id }) => profiles.remove(id),
    'lifecycle.plan': ({ profile, operation, options }) => engine.plan(profile, operation, options),
    'lifecycle.deploy': ({ profile, throughPhase }) => engine.deploy(profile, throughPhase),
    'lifecycle.start': ({ profile, operation, throughPhase, options, confirm }) =>
      engine.startOperation(profile, operation, throughPhase, { options, confirm }),
    'lifecycle.resume': ({ runId, confirm }) => engine.resume(runId, confirm),
    'lifecycle.cancel': ({ runId }) => engine.cancel(runId),
    'lifecycle.retryStep': ({ runId, stepId, confirm }) => engine.retryStep(runId, stepId, confirm),
    'lifecycle.runs': ({ profile }) => {
      engine.markOrphans()
      return runs.list(profile === undefined ? undefined : profiles.get(profile).name)
    },
    'lifecycle.run': ({ runId }) => {
      engine.markOrphans()
      return engine.snapshot(runId)
    },
    'lifecycle.stepLog': ({ runId, stepId }) => {
      const run = engine.snapshot(runId)
      if (!run.plan.steps.some((step) => step.id === stepId))
        throw new AppError('not_found', `The run has no step "${stepId}".`)
      return { log: runs.log(runId, stepId) }
    },
    'clusters.list': () => clusters.list(),
    'clusters.get': ({ ref }) => clusters.get(ref),
    ...clusterAccessHandlers(clusters),
    ...day2Handlers({ clusters, profiles, dataDir: deps.dataDir }),
    'lifecycle.report': ({ runId, format }) => {
      const run = engine.snapshot(runId)
      const stamp = run.createdAt.replace(/[:.]/g, '-')
      return format === 'html'
        ? { fileName: `${run.profileName}-${stamp}.html`, content: runReportHtml(run) }
        : { fileName: `${run.profileName}-${stamp}.md`, content: runReportMarkdown(run) }
    },
  }
  return { engine, clusters, handlers }
}
