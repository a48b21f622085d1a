// The plans of the operations after a deploy, compiled from the same profile (the desired state):
// an upgrade moves the nodes, one at a time, to the profile's versions; a backup snapshots etcd
// and saves it with the cluster's sealed files; a destroy removes the add-ons (what depends on an
// add-on first), resets the nodes (workers before control planes) and powers them off.
import { addonDependencies, enabledAddons } from '../addons/addon-catalogue.ts'
import type { ClusterProfile } from '../profiles/profile-schema.ts'
import { orderedNodes, PlanBuilder } from './plan-builder.ts'
import { resourceKeys, type Plan } from './plan.ts'
import { stepIds } from './step-ids.ts'

function controlPlanesFirst(profile: ClusterProfile) {
  const nodes = orderedNodes(profile)
  return [...nodes.filter((n) => n.role === 'control-plane'), ...nodes.filter((n) => n.role === 'worker')]
}

export function compileUpgrade(profile: ClusterProfile): Plan {
  const b = new PlanBuilder()
  const talos = profile.distribution === 'talos'
  const version = (talos ? profile.versions.talos : profile.versions.k3s) ?? ''
  // Rolling: every node upgrade holds the cluster, so one node at a time leaves the cluster;
  // control planes go first (a newer control plane serves older kubelets, not the other way round).
  let previous: string | undefined
  for (const node of controlPlanesFirst(profile)) {
    const id = stepIds.upgradeNode(node.hostname)
    b.step('node.upgrade-os', {
      id,
      phase: 'upgrade-nodes',
      title: `Upgrade ${node.hostname} to ${talos ? 'Talos' : 'K3s'} ${version}`,
      node: node.hostname,
      dependsOn: previous ? [previous] : [],
      resources: [resourceKeys.node(node.hostname), resourceKeys.cluster],
      params: { address: node.address, distribution: profile.distribution, version },
    })
    previous = id
  }
  // K3s carries Kubernetes in its own version; Talos upgrades Kubernetes on its own.
  const first = controlPlanesFirst(profile)[0]!
  if (talos && profile.versions.kubernetes) {
    b.step('cluster.upgrade-kubernetes', {
      id: stepIds.upgradeKubernetes,
      phase: 'upgrade-kubernetes',
      title: `Upgrade Kubernetes to ${profile.versions.kubernetes}`,
      dependsOn: previous ? [previous] : [],
      resources: [resourceKeys.cluster],
      params: { address: first.address, version: profile.versions.kubernetes },
    })
    previous = stepIds.upgradeKubernetes
  }
  b.step('cluster.wait-ready', {
    id: stepIds.nodesReady,
    phase: 'upgrade-verify',
    title: 'Wait for every node to be Ready',
    dependsOn: previous ? [previous] : [],
    params: {},
  })
  return b.plan('upgrade', profile)
}

export function compileBackup(profile: ClusterProfile): Plan {
  const b = new PlanBuilder()
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
    title: 'Save the snapshot with the cluster’s sealed files',
    dependsOn: [stepIds.etcdSnapshot],
    params: {},
  })
  return b.plan('backup', profile)
}

export function compileDestroy(profile: ClusterProfile): Plan {
  const b = new PlanBuilder()
  const enabled = enabledAddons(profile)
  // An add-on goes after those installed on top of it: the reverse of the install layers.
  for (const addon of [...enabled].reverse()) {
    const dependents = enabled
      .filter((other) => addonDependencies(other.key, profile).includes(addon.key))
      .map((other) => stepIds.addonUninstall(other.key))
    b.step('addon.uninstall', {
      id: stepIds.addonUninstall(addon.key),
      phase: 'uninstall-addons',
      title: `Uninstall ${addon.title}`,
      dependsOn: dependents,
      resources: [resourceKeys.cluster],
      params: { addon: addon.key },
    })
  }
  const addonsGone = enabled.map((addon) => stepIds.addonUninstall(addon.key))
  const nodes = orderedNodes(profile)
  const workers = nodes.filter((n) => n.role === 'worker')
  for (const node of [...workers, ...nodes.filter((n) => n.role === 'control-plane')]) {
    b.step('node.reset', {
      id: stepIds.reset(node.hostname),
      phase: 'reset-nodes',
      title: `Reset ${node.hostname} (${profile.distribution === 'talos' ? 'wipe Talos' : 'uninstall K3s'})`,
      node: node.hostname,
      // Control planes leave last: workers drain towards them.
      dependsOn: [
        ...addonsGone,
        ...(node.role === 'control-plane' ? workers.map((w) => stepIds.reset(w.hostname)) : []),
      ],
      resources: [resourceKeys.node(node.hostname)],
      params: {
        board: node.board,
        slot: node.slot,
        address: node.address,
        distribution: profile.distribution,
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
  return b.plan('destroy', profile)
}
