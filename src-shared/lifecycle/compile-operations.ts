// The plans of the operations after a deploy, compiled from the same profile (the desired state)
// and the operation's options: an upgrade snapshots etcd, then moves the nodes, one at a time, to
// the target versions; a backup snapshots etcd and keeps it with a retention count; a destroy
// (optionally after a backup) removes the add-ons (what depends on an add-on first), resets the
// nodes (workers before control planes), powers them off and forgets the cluster. Every
// destructive step names its node and what it wipes in its title (docs/destroy.md).
import { addonDependencies, enabledAddons } from '../addons/addon-catalogue.ts'
import { AppError } from '../contract/app-error.ts'
import type { ClusterProfile } from '../profiles/profile-schema.ts'
import { orderedNodes, PlanBuilder } from './plan-builder.ts'
import { defaultBackupRetention, resourceKeys, type OperationOptions, type Plan } from './plan.ts'
import { stepIds } from './step-ids.ts'

/** What a Talos destroy wipes on every node: its config (STATE) and its data (EPHEMERAL, etcd's too). */
export const talosResetLabels = ['STATE', 'EPHEMERAL'] as const

function controlPlanesFirst(profile: ClusterProfile) {
  const nodes = orderedNodes(profile)
  return [...nodes.filter((n) => n.role === 'control-plane'), ...nodes.filter((n) => n.role === 'worker')]
}

export function compileUpgrade(profile: ClusterProfile, options: OperationOptions = {}): Plan {
  const b = new PlanBuilder()
  const talos = profile.distribution === 'talos'
  const version =
    (talos
      ? (options.talosVersion ?? profile.versions.talos)
      : (options.k3sVersion ?? profile.versions.k3s)) ?? ''
  const kubernetes = talos ? options.kubernetesVersion : undefined
  snapshotSteps(b, profile, defaultBackupRetention)
  let previous: string = stepIds.saveBackup
  // Rolling: every node upgrade holds the cluster, so one node at a time leaves the cluster;
  // control planes go first (a newer control plane serves older kubelets, not the other way round).
  for (const node of controlPlanesFirst(profile)) {
    const id = stepIds.upgradeNode(node.hostname)
    b.step('node.upgrade-os', {
      id,
      phase: 'upgrade-nodes',
      title: `Upgrade ${node.hostname} to ${talos ? 'Talos' : 'K3s'} ${version}`,
      node: node.hostname,
      dependsOn: [previous],
      resources: [resourceKeys.node(node.hostname), resourceKeys.cluster],
      params: { address: node.address, distribution: profile.distribution, version },
    })
    previous = id
  }
  // K3s carries Kubernetes in its own version; Talos upgrades Kubernetes on its own.
  const first = controlPlanesFirst(profile)[0]!
  if (kubernetes) {
    b.step('cluster.upgrade-kubernetes', {
      id: stepIds.upgradeKubernetes,
      phase: 'upgrade-kubernetes',
      title: `Upgrade Kubernetes to ${kubernetes}`,
      dependsOn: [previous],
      resources: [resourceKeys.cluster],
      params: { address: first.address, version: kubernetes },
    })
    previous = stepIds.upgradeKubernetes
  }
  b.step('cluster.wait-ready', {
    id: stepIds.nodesReady,
    phase: 'upgrade-verify',
    title: 'Wait for every node to be Ready',
    dependsOn: [previous],
    params: {},
  })
  // The add-ons to the catalogue's pins, in the deploy's layers: the install step upgrades a release
  // whose chart or values differ and skips one already at its pin.
  if (options.addons) {
    for (const addon of enabledAddons(profile)) {
      const after = addonDependencies(addon.key, profile).map((key) => stepIds.addonInstall(key))
      b.step('addon.install', {
        id: stepIds.addonInstall(addon.key),
        phase: 'upgrade-addons',
        title: `Upgrade ${addon.title} to chart ${addon.chart.version}`,
        dependsOn: [stepIds.nodesReady, ...after],
        params: { addon: addon.key },
      })
    }
  }
  return b.plan('upgrade', profile, options)
}

/** An etcd snapshot from the first control plane, then kept in the cluster's backups. */
function snapshotSteps(b: PlanBuilder, profile: ClusterProfile, retention: number): void {
  const first = controlPlanesFirst(profile)[0]!
  b.step('cluster.etcd-snapshot', {
    id: stepIds.etcdSnapshot,
    phase: 'backup-snapshot',
    title: `Snapshot etcd on ${first.hostname}`,
    resources: [resourceKeys.cluster],
    dependsOn: [],
    params: { address: first.address, distribution: profile.distribution },
  })
  b.step('cluster.save-backup', {
    id: stepIds.saveBackup,
    phase: 'backup-save',
    title: `Keep the snapshot in the cluster’s backups (the newest ${retention})`,
    dependsOn: [stepIds.etcdSnapshot],
    params: { retention },
  })
}

export function compileBackup(profile: ClusterProfile, options: OperationOptions = {}): Plan {
  const b = new PlanBuilder()
  snapshotSteps(b, profile, options.retention ?? defaultBackupRetention)
  return b.plan('backup', profile, options)
}

export function compileDestroy(profile: ClusterProfile, options: OperationOptions = {}): Plan {
  const b = new PlanBuilder()
  const talos = profile.distribution === 'talos'
  // A Talos reset already wipes the system partitions it boots from (STATE, EPHEMERAL); wiping
  // the rest of its disk would only remove what the next flash overwrites (docs/destroy.md).
  if (talos && options.wipeEmmc)
    throw new AppError(
      'invalid_input',
      `"${profile.name}" is a Talos cluster: its destroy already wipes the STATE and EPHEMERAL partitions, and wiping the eMMC is for K3s clusters only; nothing was destroyed.`,
      `Destroy without --wipe-emmc (clusterdeck destroy ${profile.name} --confirm ${profile.name}).`,
    )
  if (options.backupFirst) snapshotSteps(b, profile, defaultBackupRetention)
  const backedUp = options.backupFirst ? [stepIds.saveBackup] : []
  const enabled = options.keepAddons ? [] : enabledAddons(profile)
  // An add-on goes after those installed on top of it: the reverse of the install layers.
  for (const addon of [...enabled].reverse()) {
    const dependents = enabled
      .filter((other) => addonDependencies(other.key, profile).includes(addon.key))
      .map((other) => stepIds.addonUninstall(other.key))
    b.step('addon.uninstall', {
      id: stepIds.addonUninstall(addon.key),
      phase: 'uninstall-addons',
      title: `Uninstall ${addon.title}`,
      dependsOn: [...backedUp, ...dependents],
      resources: [resourceKeys.cluster],
      params: { addon: addon.key },
    })
  }
  const addonsGone = enabled.map((addon) => stepIds.addonUninstall(addon.key))
  const nodes = orderedNodes(profile)
  const workers = nodes.filter((n) => n.role === 'worker')
  const inOrder = nodes.filter((n) => n.role === 'control-plane')
  // K3s: the first server, where the others joined and the kubeconfig points, goes last.
  const controlPlanes = talos ? inOrder : [...inOrder.slice(1), ...inOrder.slice(0, 1)]
  for (const node of [...workers, ...controlPlanes]) {
    const wipe = talos ? [...talosResetLabels] : []
    const userDisks = options.wipeNvme && node.nvme ? [node.nvme.device] : []
    const bootDevice = !talos && options.wipeEmmc === true
    const wiped = talos
      ? [...wipe.map((label) => `${label} partition`), ...userDisks.map((disk) => `NVMe ${disk}`)]
      : ['K3s', ...userDisks.map((disk) => `NVMe ${disk}`), ...(bootDevice ? ['eMMC (boot device)'] : [])]
    b.step('node.reset', {
      id: stepIds.reset(node.hostname),
      phase: 'reset-nodes',
      title: `Reset ${node.hostname} (${node.board} slot ${node.slot}): wipe ${wiped.join(', ')}`,
      node: node.hostname,
      // Control planes leave last (workers drain towards them), one at a time: each leaves etcd
      // while the others keep its quorum.
      dependsOn: [
        ...backedUp,
        ...addonsGone,
        ...(node.role === 'control-plane' ? workers.map((w) => stepIds.reset(w.hostname)) : []),
        ...(node.role === 'control-plane'
          ? controlPlanes
              .slice(0, controlPlanes.indexOf(node))
              .slice(-1)
              .map((cp) => stepIds.reset(cp.hostname))
          : []),
      ],
      resources: [resourceKeys.node(node.hostname)],
      params: {
        board: node.board,
        slot: node.slot,
        address: node.address,
        distribution: profile.distribution,
        wipe,
        userDisks,
        ...(bootDevice ? { bootDevice } : {}),
      },
    })
  }
  for (const node of nodes) {
    b.step('node.power-off', {
      id: stepIds.powerOff(node.hostname),
      phase: 'power-off',
      title: `Power off ${node.hostname} (${node.board} slot ${node.slot})`,
      node: node.hostname,
      dependsOn: [stepIds.reset(node.hostname)],
      resources: [resourceKeys.board(node.board), resourceKeys.node(node.hostname)],
      params: { board: node.board, slot: node.slot },
    })
  }
  const keepSecrets = options.backupFirst === true
  b.step('cluster.forget', {
    id: stepIds.forget,
    phase: 'forget-cluster',
    title: keepSecrets
      ? `Mark "${profile.name}" destroyed, keeping its sealed secrets and backups for a restore`
      : `Mark "${profile.name}" destroyed and delete its sealed secrets and backups`,
    dependsOn: nodes.map((node) => stepIds.powerOff(node.hostname)),
    resources: [resourceKeys.cluster],
    params: { keepSecrets },
  })
  return b.plan('destroy', profile, options)
}
