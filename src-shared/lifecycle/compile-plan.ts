// Compiles a profile into the plan of one operation. A deploy follows seed 000's flowcharts:
// images are prepared once per distinct image; each node is flashed and waits for its boot; then
// the distribution's bootstrap, the add-ons in their dependency layers, and a final readiness step.
// Upgrade, backup and destroy are in compile-operations.ts.
import { addonDependencies, enabledAddons } from '../addons/addon-catalogue.ts'
import type { ClusterProfile, ImageSource, ProfileNode } from '../profiles/profile-schema.ts'
import { compileBackup, compileDestroy, compileUpgrade } from './compile-operations.ts'
import { resourceKeys, type OperationId, type OperationOptions, type Plan } from './plan.ts'
import { orderedNodes, PlanBuilder } from './plan-builder.ts'
import { stepIds } from './step-ids.ts'

/** A stable key naming an image source, shared by the nodes that use the same image. */
export function imageKey(source: ImageSource): string {
  if ('cached' in source) return `cached-${source.cached.slice(0, 12)}`
  if ('file' in source) return `file-${source.file.split(/[\\/]/).at(-1)}`
  if ('url' in source) return `url-${source.url.split('/').at(-1)?.split('?')[0]}`
  if ('talosFactory' in source) return `talos-${source.talosFactory.schematic}-${source.talosFactory.board}`
  return `armbian-${source.armbian.distro}-${source.armbian.variant}-${source.armbian.branch}`
}

type ParameterlessKind =
  | 'talos.generate-secrets'
  | 'talos.generate-configs'
  | 'talos.export-configs'
  | 'k3s.export-kubeconfig'
  | 'cluster.wait-ready'

export function compilePlan(
  profile: ClusterProfile,
  operation: OperationId = 'deploy',
  options: OperationOptions = {},
): Plan {
  switch (operation) {
    case 'deploy':
      return compileDeploy(profile)
    case 'restore':
      return compileDeploy(profile, 'restore', options)
    case 'upgrade':
      return compileUpgrade(profile, options)
    case 'backup':
      return compileBackup(profile, options)
    case 'destroy':
      return compileDestroy(profile, options)
  }
}

/** A deploy; a restore is the same plan with the first control plane's datastore from a snapshot. */
function compileDeploy(
  profile: ClusterProfile,
  operation: 'deploy' | 'restore' = 'deploy',
  options: OperationOptions = {},
): Plan {
  const recoverFrom = operation === 'restore' ? options.restoreSnapshot : undefined
  const snapshotName = recoverFrom?.split(/[\\/]/).at(-1)
  const b = new PlanBuilder()
  const imageOf = (node: ProfileNode) => node.image ?? profile.image
  /** A cluster-wide bootstrap step that needs nothing but what the steps before it produced. */
  const clusterStep = (id: string, kind: ParameterlessKind, title: string, dependsOn: string[]) =>
    b.step(kind, { id, phase: 'cluster-bootstrap', title, dependsOn, params: {} })

  // Phase 1: each distinct image once.
  const images = new Map<string, ImageSource>()
  for (const node of profile.nodes) images.set(imageKey(imageOf(node)), imageOf(node))
  for (const [key, source] of images) {
    b.step('image.prepare', {
      id: stepIds.imagePrepare(key),
      phase: 'image-preparation',
      title: `Prepare image ${key}`,
      dependsOn: [],
      params: { imageKey: key, source, talosVersion: profile.versions.talos },
    })
  }

  // Phase 2: flash and boot, one transfer at a time per board, in slot order.
  const ordered = orderedNodes(profile)
  for (const node of ordered) {
    const key = imageKey(imageOf(node))
    b.step('node.flash', {
      id: stepIds.flash(node.hostname),
      phase: 'node-imaging',
      title: `Flash ${node.hostname} (${node.board} slot ${node.slot})`,
      node: node.hostname,
      dependsOn: [stepIds.imagePrepare(key)],
      resources: [resourceKeys.board(node.board), resourceKeys.node(node.hostname)],
      params: { board: node.board, slot: node.slot, imageKey: key },
    })
    b.step('node.wait-boot', {
      id: stepIds.boot(node.hostname),
      phase: 'node-imaging',
      title: `Wait for ${node.hostname} to boot`,
      node: node.hostname,
      dependsOn: [stepIds.flash(node.hostname)],
      resources: [resourceKeys.node(node.hostname)],
      params: {
        board: node.board,
        slot: node.slot,
        address: node.address,
        distribution: profile.distribution,
        timeoutSeconds: profile.timeouts.bootSeconds,
      },
    })
  }

  // Phase 3: the distribution's bootstrap.
  const controlPlanes = ordered.filter((node) => node.role === 'control-plane')
  const workers = ordered.filter((node) => node.role === 'worker')
  const first = controlPlanes[0]!
  let clusterUp: string
  if (profile.distribution === 'talos') {
    clusterStep(stepIds.talosSecrets, 'talos.generate-secrets', 'Generate the cluster secrets', [])
    clusterStep(stepIds.talosConfigs, 'talos.generate-configs', 'Generate machine configs', [
      stepIds.talosSecrets,
    ])
    for (const node of [...controlPlanes, ...workers]) {
      b.step('talos.apply-config', {
        id: stepIds.talosApply(node.hostname),
        phase: 'cluster-bootstrap',
        title: `Apply the ${node.role} config to ${node.hostname}`,
        node: node.hostname,
        // Workers join once the control planes have their configs.
        dependsOn: [
          stepIds.talosConfigs,
          stepIds.boot(node.hostname),
          ...(node.role === 'worker' ? controlPlanes.map((cp) => stepIds.talosApply(cp.hostname)) : []),
        ],
        resources: [resourceKeys.node(node.hostname)],
        params: { address: node.address, role: node.role },
      })
    }
    b.step('talos.bootstrap', {
      id: stepIds.talosBootstrap,
      phase: 'cluster-bootstrap',
      title: recoverFrom
        ? `Bootstrap etcd on ${first.hostname}, recovered from the snapshot ${snapshotName}`
        : `Bootstrap etcd on ${first.hostname}`,
      dependsOn: controlPlanes.map((cp) => stepIds.talosApply(cp.hostname)),
      resources: [resourceKeys.cluster],
      params: { address: first.address, ...(recoverFrom ? { recoverFrom } : {}) },
    })
    // The talosconfig names where every node answers once configured: known after its apply.
    clusterStep(stepIds.talosExport, 'talos.export-configs', 'Export kubeconfig and talosconfig', [
      stepIds.talosBootstrap,
      ...workers.map((node) => stepIds.talosApply(node.hostname)),
    ])
    clusterUp = stepIds.talosExport
  } else {
    for (const node of ordered) {
      b.step('k3s.prepare-node', {
        id: stepIds.k3sPrepare(node.hostname),
        phase: 'cluster-bootstrap',
        title: `Prepare ${node.hostname} (SSH key, host name, open-iscsi${node.nvme ? ', NVMe' : ''})`,
        node: node.hostname,
        dependsOn: [stepIds.boot(node.hostname)],
        resources: [resourceKeys.node(node.hostname)],
        params: { address: node.address, ...(node.nvme ? { nvme: node.nvme } : {}) },
      })
    }
    // A restore: the first server's datastore comes from the snapshot (docs/backups.md).
    const restoreFrom = recoverFrom ? { restoreFrom: recoverFrom } : {}
    b.step('k3s.install-server', {
      id: stepIds.k3sServer(first.hostname),
      phase: 'cluster-bootstrap',
      title: recoverFrom
        ? `Install the K3s server on ${first.hostname}, restored from the snapshot ${snapshotName}`
        : `Install the K3s server on ${first.hostname}`,
      node: first.hostname,
      dependsOn: [stepIds.k3sPrepare(first.hostname)],
      resources: [resourceKeys.node(first.hostname), resourceKeys.cluster],
      params: { address: first.address, role: first.role, ...restoreFrom },
    })
    // Extra servers join one after another (each adds an etcd member, and the cluster keeps its
    // quorum while one joins); agents join at the same time.
    let lastServer = stepIds.k3sServer(first.hostname)
    for (const node of [...controlPlanes.slice(1), ...workers]) {
      const join = {
        id: stepIds.k3sJoin(node.hostname),
        phase: 'cluster-bootstrap' as const,
        title: `Join ${node.hostname} as ${node.role === 'worker' ? 'an agent' : 'a server'}`,
        node: node.hostname,
        dependsOn: [
          stepIds.k3sPrepare(node.hostname),
          node.role === 'worker' ? stepIds.k3sServer(first.hostname) : lastServer,
        ],
        resources: [resourceKeys.node(node.hostname)],
        params: { address: node.address, role: node.role },
      }
      if (node.role === 'worker') b.step('k3s.install-agent', join)
      else {
        b.step('k3s.install-server', { ...join, params: { ...join.params, ...restoreFrom } })
        lastServer = join.id
      }
    }
    clusterStep(stepIds.k3sKubeconfig, 'k3s.export-kubeconfig', 'Export the kubeconfig', [
      stepIds.k3sServer(first.hostname),
    ])
    clusterUp = stepIds.k3sKubeconfig
  }
  const joinSteps = b.steps.filter((s) => s.phase === 'cluster-bootstrap' && s.node).map((s) => s.id)
  clusterStep(stepIds.nodesReady, 'cluster.wait-ready', 'Wait for every node to be Ready', [
    clusterUp,
    ...joinSteps,
  ])

  // Phase 4: add-ons, in the seed's layers.
  const enabled = enabledAddons(profile)
  for (const addon of enabled) {
    const after = addonDependencies(addon.key, profile).map((key) => stepIds.addonInstall(key))
    b.step('addon.install', {
      id: stepIds.addonInstall(addon.key),
      phase: 'addon-deployment',
      title: `Install ${addon.title}`,
      dependsOn: [stepIds.nodesReady, ...after],
      params: { addon: addon.key },
    })
  }

  // Phase 5.
  b.step('cluster.ready', {
    id: stepIds.clusterReady,
    phase: 'ready',
    title: 'Cluster ready',
    dependsOn: enabled.length > 0 ? enabled.map((a) => stepIds.addonInstall(a.key)) : [stepIds.nodesReady],
    params: {},
  })

  return b.plan(operation, profile, operation === 'restore' ? options : {})
}
