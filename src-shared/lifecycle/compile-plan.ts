// Compiles a profile into its plan (seed 000's flowcharts): images are prepared once per distinct
// image; each node is flashed and waits for its boot; then the distribution's bootstrap, the
// add-ons in their dependency layers, and a final readiness step.
import type { ClusterProfile, ImageSource, ProfileNode } from '../profiles/profile-schema.ts'
import type { Plan, PlanStep } from './plan.ts'

/** A stable key naming an image source, shared by the nodes that use the same image. */
export function imageKey(source: ImageSource): string {
  if ('cached' in source) return `cached-${source.cached.slice(0, 12)}`
  if ('file' in source) return `file-${source.file.split(/[\\/]/).at(-1)}`
  if ('url' in source) return `url-${source.url.split('/').at(-1)?.split('?')[0]}`
  if ('talosFactory' in source) return `talos-${source.talosFactory.schematic}-${source.talosFactory.board}`
  return `armbian-${source.armbian.distro}-${source.armbian.variant}-${source.armbian.branch}`
}

// The seed's add-on layers: network first, storage before monitoring.
const addonOrder = [
  { key: 'metallb', title: 'MetalLB', after: [] },
  { key: 'ingressNginx', title: 'ingress-nginx', after: ['metallb'] },
  { key: 'certManager', title: 'cert-manager', after: ['ingressNginx'] },
  { key: 'longhorn', title: 'Longhorn', after: ['metallb'] },
  { key: 'monitoring', title: 'Monitoring (kube-prometheus-stack)', after: ['longhorn'] },
  { key: 'portainer', title: 'Portainer', after: ['metallb'] },
] as const

export function compilePlan(profile: ClusterProfile): Plan {
  const steps: PlanStep[] = []
  const add = (step: PlanStep) => steps.push(step)
  const imageOf = (node: ProfileNode) => node.image ?? profile.image

  // Phase 1: each distinct image once.
  const images = new Map<string, ImageSource>()
  for (const node of profile.nodes) images.set(imageKey(imageOf(node)), imageOf(node))
  for (const [key, source] of images) {
    add({
      id: `image:${key}`,
      phase: 'image-preparation',
      kind: 'image.prepare',
      title: `Prepare image ${key}`,
      dependsOn: [],
      params: { imageKey: key, source, talosVersion: profile.versions.talos },
    })
  }

  // Phase 2: flash and boot, one transfer at a time per board, in slot order.
  const ordered = [...profile.nodes].sort((a, b) => a.board.localeCompare(b.board) || a.slot - b.slot)
  for (const node of ordered) {
    add({
      id: `flash:${node.hostname}`,
      phase: 'node-imaging',
      kind: 'node.flash',
      title: `Flash ${node.hostname} (${node.board} slot ${node.slot})`,
      node: node.hostname,
      dependsOn: [`image:${imageKey(imageOf(node))}`],
      resource: `board:${node.board.toLowerCase()}`,
      params: { board: node.board, slot: node.slot, imageKey: imageKey(imageOf(node)) },
    })
    add({
      id: `boot:${node.hostname}`,
      phase: 'node-imaging',
      kind: 'node.wait-boot',
      title: `Wait for ${node.hostname} to boot`,
      node: node.hostname,
      dependsOn: [`flash:${node.hostname}`],
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
  const first = controlPlanes[0]
  const booted = (node: ProfileNode) => `boot:${node.hostname}`
  let clusterUp: string
  if (profile.distribution === 'talos') {
    add(clusterStep('talos:secrets', 'talos.generate-secrets', 'Generate the cluster secrets', []))
    add(clusterStep('talos:configs', 'talos.generate-configs', 'Generate machine configs', ['talos:secrets']))
    for (const node of [...controlPlanes, ...workers]) {
      add({
        id: `talos:apply:${node.hostname}`,
        phase: 'cluster-bootstrap',
        kind: 'talos.apply-config',
        title: `Apply the ${node.role} config to ${node.hostname}`,
        node: node.hostname,
        // Workers join once the control planes have their configs.
        dependsOn: [
          'talos:configs',
          booted(node),
          ...(node.role === 'worker' ? controlPlanes.map((cp) => `talos:apply:${cp.hostname}`) : []),
        ],
        params: { address: node.address, role: node.role },
      })
    }
    add(
      clusterStep(
        'talos:bootstrap',
        'talos.bootstrap',
        `Bootstrap etcd on ${first?.hostname}`,
        controlPlanes.map((cp) => `talos:apply:${cp.hostname}`),
        { address: first?.address },
      ),
    )
    add(
      clusterStep('talos:export', 'talos.export-configs', 'Export kubeconfig and talosconfig', [
        'talos:bootstrap',
      ]),
    )
    clusterUp = 'talos:export'
  } else {
    for (const node of ordered) {
      add({
        id: `k3s:prepare:${node.hostname}`,
        phase: 'cluster-bootstrap',
        kind: 'k3s.prepare-node',
        title: `Prepare ${node.hostname} (SSH key, host name, open-iscsi${node.nvme ? ', NVMe' : ''})`,
        node: node.hostname,
        dependsOn: [booted(node)],
        params: { address: node.address, nvme: node.nvme },
      })
    }
    add({
      id: `k3s:server:${first?.hostname}`,
      phase: 'cluster-bootstrap',
      kind: 'k3s.install-server',
      title: `Install the K3s server on ${first?.hostname}`,
      node: first?.hostname,
      dependsOn: [`k3s:prepare:${first?.hostname}`],
      params: { address: first?.address },
    })
    for (const node of [...controlPlanes.slice(1), ...workers]) {
      add({
        id: `k3s:join:${node.hostname}`,
        phase: 'cluster-bootstrap',
        kind: node.role === 'worker' ? 'k3s.install-agent' : 'k3s.install-server',
        title: `Join ${node.hostname} as ${node.role === 'worker' ? 'an agent' : 'a server'}`,
        node: node.hostname,
        dependsOn: [`k3s:prepare:${node.hostname}`, `k3s:server:${first?.hostname}`],
        params: { address: node.address, role: node.role },
      })
    }
    add(
      clusterStep('k3s:kubeconfig', 'k3s.export-kubeconfig', 'Export the kubeconfig', [
        `k3s:server:${first?.hostname}`,
      ]),
    )
    clusterUp = 'k3s:kubeconfig'
  }
  const joinSteps = steps.filter((s) => s.phase === 'cluster-bootstrap' && s.node).map((s) => s.id)
  add(
    clusterStep('cluster:nodes-ready', 'cluster.wait-ready', 'Wait for every node to be Ready', [
      clusterUp,
      ...joinSteps,
    ]),
  )

  // Phase 4: add-ons, in the seed's layers.
  const enabled = addonOrder.filter(({ key }) => profile.addons[key].enabled)
  for (const addon of enabled) {
    const after = addon.after.filter((key) => profile.addons[key].enabled).map((key) => `addon:${key}`)
    add({
      id: `addon:${addon.key}`,
      phase: 'addon-deployment',
      kind: 'addon.install',
      title: `Install ${addon.title}`,
      dependsOn: ['cluster:nodes-ready', ...after],
      params: { addon: addon.key, settings: profile.addons[addon.key] },
    })
  }

  // Phase 5.
  steps.push({
    id: 'cluster:ready',
    phase: 'ready',
    kind: 'cluster.ready',
    title: 'Cluster ready',
    dependsOn: enabled.length > 0 ? enabled.map((a) => `addon:${a.key}`) : ['cluster:nodes-ready'],
    params: {},
  })

  return { profileName: profile.name, distribution: profile.distribution, steps }

  function clusterStep(
    id: string,
    kind: PlanStep['kind'],
    title: string,
    dependsOn: string[],
    params: Record<string, unknown> = {},
  ): PlanStep {
    return { id, phase: 'cluster-bootstrap', kind, title, dependsOn, params }
  }
}
