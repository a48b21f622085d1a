import { describe, expect, it } from 'vitest'
import { profileFromTemplate } from '../profiles/profile-templates.ts'
import { compilePlan } from './compile-plan.ts'
import { phaseIds, planPhases, planSchema, type Plan } from './plan.ts'

function summary(plan: Plan) {
  return plan.steps.map((step) => `${step.phase} | ${step.id} <- ${step.dependsOn.join(', ')}`)
}

/** Every dependency exists and comes earlier: the plan is a DAG in a runnable order. */
function assertRunnable(plan: Plan) {
  const seen = new Set<string>()
  for (const step of plan.steps) {
    for (const dependency of step.dependsOn)
      expect(seen.has(dependency), `${step.id} waits for ${dependency}`).toBe(true)
    expect(seen.has(step.id), `duplicate ${step.id}`).toBe(false)
    seen.add(step.id)
  }
  expect(plan.steps.map((step) => phaseIds.indexOf(step.phase))).toEqual(
    [...plan.steps.map((step) => phaseIds.indexOf(step.phase))].sort((a, b) => a - b),
  )
}

describe('compilePlan', () => {
  it('compiles the Talos template into the seed’s five phases', () => {
    const plan = compilePlan(profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' }))
    assertRunnable(plan)
    expect(summary(plan)).toEqual([
      'image-preparation | image:talos-longhorn-turing-rk1 <- ',
      'node-imaging | flash:turing-cp1 <- image:talos-longhorn-turing-rk1',
      'node-imaging | boot:turing-cp1 <- flash:turing-cp1',
      'node-imaging | flash:turing-w1 <- image:talos-longhorn-turing-rk1',
      'node-imaging | boot:turing-w1 <- flash:turing-w1',
      'node-imaging | flash:turing-w2 <- image:talos-longhorn-turing-rk1',
      'node-imaging | boot:turing-w2 <- flash:turing-w2',
      'node-imaging | flash:turing-w3 <- image:talos-longhorn-turing-rk1',
      'node-imaging | boot:turing-w3 <- flash:turing-w3',
      'cluster-bootstrap | talos:secrets <- ',
      'cluster-bootstrap | talos:configs <- talos:secrets',
      'cluster-bootstrap | talos:apply:turing-cp1 <- talos:configs, boot:turing-cp1',
      'cluster-bootstrap | talos:apply:turing-w1 <- talos:configs, boot:turing-w1, talos:apply:turing-cp1',
      'cluster-bootstrap | talos:apply:turing-w2 <- talos:configs, boot:turing-w2, talos:apply:turing-cp1',
      'cluster-bootstrap | talos:apply:turing-w3 <- talos:configs, boot:turing-w3, talos:apply:turing-cp1',
      'cluster-bootstrap | talos:bootstrap <- talos:apply:turing-cp1',
      'cluster-bootstrap | talos:export <- talos:bootstrap, talos:apply:turing-w1, talos:apply:turing-w2, talos:apply:turing-w3',
      'cluster-bootstrap | cluster:nodes-ready <- talos:export, talos:apply:turing-cp1, talos:apply:turing-w1, talos:apply:turing-w2, talos:apply:turing-w3',
      'addon-deployment | addon:metallb <- cluster:nodes-ready',
      'addon-deployment | addon:traefik <- cluster:nodes-ready, addon:metallb',
      'addon-deployment | addon:certManager <- cluster:nodes-ready, addon:traefik',
      'addon-deployment | addon:longhorn <- cluster:nodes-ready, addon:metallb',
      'addon-deployment | addon:monitoring <- cluster:nodes-ready, addon:longhorn',
      'addon-deployment | addon:portainer <- cluster:nodes-ready, addon:metallb, addon:longhorn',
      'ready | cluster:ready <- addon:metallb, addon:traefik, addon:certManager, addon:longhorn, addon:monitoring, addon:portainer',
    ])
    expect(new Set(plan.steps.filter((s) => s.kind === 'node.flash').flatMap((s) => s.resources))).toEqual(
      new Set(['board:rack-1', 'node:turing-cp1', 'node:turing-w1', 'node:turing-w2', 'node:turing-w3']),
    )
  })

  it('compiles the K3s template with a server first and agents after it', () => {
    const plan = compilePlan(profileFromTemplate('k3s-rk1-armbian', { name: 'lab', board: 'rack-1' }))
    assertRunnable(plan)
    expect(summary(plan).filter((line) => line.startsWith('cluster-bootstrap'))).toEqual([
      'cluster-bootstrap | k3s:prepare:turing-cp1 <- boot:turing-cp1',
      'cluster-bootstrap | k3s:prepare:turing-w1 <- boot:turing-w1',
      'cluster-bootstrap | k3s:prepare:turing-w2 <- boot:turing-w2',
      'cluster-bootstrap | k3s:prepare:turing-w3 <- boot:turing-w3',
      'cluster-bootstrap | k3s:server:turing-cp1 <- k3s:prepare:turing-cp1',
      'cluster-bootstrap | k3s:join:turing-w1 <- k3s:prepare:turing-w1, k3s:server:turing-cp1',
      'cluster-bootstrap | k3s:join:turing-w2 <- k3s:prepare:turing-w2, k3s:server:turing-cp1',
      'cluster-bootstrap | k3s:join:turing-w3 <- k3s:prepare:turing-w3, k3s:server:turing-cp1',
      'cluster-bootstrap | k3s:kubeconfig <- k3s:server:turing-cp1',
      'cluster-bootstrap | cluster:nodes-ready <- k3s:kubeconfig, k3s:prepare:turing-cp1, k3s:prepare:turing-w1, k3s:prepare:turing-w2, k3s:prepare:turing-w3, k3s:server:turing-cp1, k3s:join:turing-w1, k3s:join:turing-w2, k3s:join:turing-w3',
    ])
    expect(plan.steps.filter((s) => s.kind === 'image.prepare').map((s) => s.id)).toEqual([
      'image:armbian-trixie-minimal-vendor',
    ])
  })

  it('joins extra K3s servers one after another and the agents at once, each step on its node', () => {
    const profile = profileFromTemplate('k3s-rk1-armbian', { name: 'lab', board: 'rack-1' })
    profile.nodes[1]!.role = 'control-plane'
    profile.nodes[2]!.role = 'control-plane'
    profile.nodes[0]!.nvme = undefined
    const plan = compilePlan(profile)
    assertRunnable(plan)
    const byId = new Map(plan.steps.map((step) => [step.id, step]))
    expect(byId.get('k3s:join:turing-w1')).toMatchObject({
      kind: 'k3s.install-server',
      title: 'Join turing-w1 as a server',
      dependsOn: ['k3s:prepare:turing-w1', 'k3s:server:turing-cp1'],
      resources: ['node:turing-w1'],
      params: { address: '10.10.88.74', role: 'control-plane' },
    })
    expect(byId.get('k3s:join:turing-w2')!.dependsOn).toEqual(['k3s:prepare:turing-w2', 'k3s:join:turing-w1'])
    expect(byId.get('k3s:join:turing-w3')).toMatchObject({
      kind: 'k3s.install-agent',
      dependsOn: ['k3s:prepare:turing-w3', 'k3s:server:turing-cp1'],
    })
    // The first server holds the whole cluster while it installs; NVMe only where the node has one.
    expect(byId.get('k3s:server:turing-cp1')!.resources).toEqual(['node:turing-cp1', 'cluster'])
    expect(byId.get('k3s:prepare:turing-cp1')).toMatchObject({
      title: 'Prepare turing-cp1 (SSH key, host name, open-iscsi)',
      params: { address: '10.10.88.73' },
    })
    expect(byId.get('k3s:prepare:turing-w1')!.params).toEqual({
      address: '10.10.88.74',
      nvme: { device: '/dev/nvme0n1', mountPoint: '/var/lib/longhorn' },
    })
    expect(byId.get('cluster:nodes-ready')!.kind).toBe('cluster.wait-ready')
  })

  it('prepares each distinct image once and leaves disabled add-ons out', () => {
    const profile = profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })
    profile.nodes[3]!.image = { url: 'https://example.org/other.raw.xz' }
    profile.addons.portainer.enabled = false
    profile.addons.monitoring.enabled = false
    const plan = compilePlan(profile)
    assertRunnable(plan)
    expect(plan.steps.filter((s) => s.kind === 'image.prepare').map((s) => s.id)).toEqual([
      'image:talos-longhorn-turing-rk1',
      'image:url-other.raw.xz',
    ])
    expect(plan.steps.find((s) => s.id === 'flash:turing-w3')!.dependsOn).toEqual(['image:url-other.raw.xz'])
    expect(plan.steps.filter((s) => s.kind === 'addon.install').map((s) => s.id)).toEqual([
      'addon:metallb',
      'addon:traefik',
      'addon:certManager',
      'addon:longhorn',
    ])
  })

  it('compiles a destroy: add-ons top layer first, workers reset before the control plane, then power off', () => {
    const profile = profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })
    const plan = compilePlan(profile, 'destroy')
    assertRunnable(plan)
    expect(plan.operation).toBe('destroy')
    expect(planPhases(plan)).toEqual(['uninstall-addons', 'reset-nodes', 'power-off', 'forget-cluster'])
    const uninstalls = plan.steps.filter((s) => s.kind === 'addon.uninstall')
    expect(uninstalls.map((s) => s.id)).toEqual([
      'uninstall:portainer',
      'uninstall:monitoring',
      'uninstall:longhorn',
      'uninstall:certManager',
      'uninstall:traefik',
      'uninstall:metallb',
    ])
    expect(plan.steps.find((s) => s.id === 'uninstall:metallb')!.dependsOn).toEqual([
      'uninstall:traefik',
      'uninstall:longhorn',
      'uninstall:portainer',
    ])
    expect(plan.steps.find((s) => s.id === 'uninstall:longhorn')!.dependsOn).toEqual([
      'uninstall:monitoring',
      'uninstall:portainer',
    ])
    expect(plan.steps.find((s) => s.id === 'reset:turing-cp1')!.dependsOn).toEqual(
      expect.arrayContaining(['reset:turing-w1', 'reset:turing-w2', 'reset:turing-w3', 'uninstall:metallb']),
    )
    expect(plan.steps.find((s) => s.id === 'power-off:turing-w2')).toMatchObject({
      dependsOn: ['reset:turing-w2'],
      resources: ['board:rack-1', 'node:turing-w2'],
      params: { board: 'rack-1', slot: 3 },
    })
    // Each reset names its node, its slot and what it wipes before it starts.
    expect(plan.steps.find((s) => s.id === 'reset:turing-w1')).toMatchObject({
      title: 'Reset turing-w1 (rack-1 slot 2): wipe STATE partition, EPHEMERAL partition',
      params: { wipe: ['STATE', 'EPHEMERAL'], userDisks: [] },
    })
    expect(plan.steps.at(-1)).toMatchObject({
      id: 'destroy:forget',
      dependsOn: [
        'power-off:turing-cp1',
        'power-off:turing-w1',
        'power-off:turing-w2',
        'power-off:turing-w3',
      ],
      params: { keepSecrets: false },
    })
    expect(planSchema.parse(plan)).toEqual(plan)
  })

  it('compiles a destroy that backs up first and wipes the NVMe drives when asked', () => {
    const profile = profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })
    const plan = compilePlan(profile, 'destroy', { backupFirst: true, wipeNvme: true })
    expect(planPhases(plan).slice(0, 3)).toEqual(['backup-snapshot', 'backup-save', 'uninstall-addons'])
    const reset = plan.steps.find((s) => s.id === 'reset:turing-w1')!
    expect(reset.title).toMatch(/wipe STATE partition, EPHEMERAL partition, NVMe \/dev\/nvme0n1$/)
    expect(reset.params).toMatchObject({ userDisks: ['/dev/nvme0n1'] })
    expect(reset.dependsOn).toContain('backup:save')
    expect(plan.steps.at(-1)).toMatchObject({ params: { keepSecrets: true } })
    expect(plan.options).toEqual({ backupFirst: true, wipeNvme: true })
    const kept = compilePlan(profile, 'destroy', { keepAddons: true })
    expect(planPhases(kept)).toEqual(['reset-nodes', 'power-off', 'forget-cluster'])
  })

  it('compiles an upgrade one node at a time, control planes first, and a backup', () => {
    const profile = profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })
    const upgrade = compilePlan(profile, 'upgrade', { talosVersion: 'v1.14.0', kubernetesVersion: 'v1.36.0' })
    assertRunnable(upgrade)
    expect(summary(upgrade)).toEqual([
      'backup-snapshot | backup:etcd <- ',
      'backup-save | backup:save <- backup:etcd',
      'upgrade-nodes | upgrade:turing-cp1 <- backup:save',
      'upgrade-nodes | upgrade:turing-w1 <- upgrade:turing-cp1',
      'upgrade-nodes | upgrade:turing-w2 <- upgrade:turing-w1',
      'upgrade-nodes | upgrade:turing-w3 <- upgrade:turing-w2',
      'upgrade-kubernetes | upgrade:kubernetes <- upgrade:turing-w3',
      'upgrade-verify | cluster:nodes-ready <- upgrade:kubernetes',
    ])
    expect(upgrade.steps[2]).toMatchObject({
      kind: 'node.upgrade-os',
      resources: ['node:turing-cp1', 'cluster'],
      params: { address: '10.10.88.73', distribution: 'talos', version: 'v1.14.0' },
    })
    // With --addons, each enabled add-on goes to the catalogue's pin after the nodes, in its layer.
    const addons = compilePlan(profile, 'upgrade', { addons: true })
    expect(planPhases(addons).at(-1)).toBe('upgrade-addons')
    expect(addons.steps.find((step) => step.id === 'addon:traefik')).toMatchObject({
      kind: 'addon.install',
      title: expect.stringMatching(/^Upgrade Traefik to chart \S+$/),
      dependsOn: ['cluster:nodes-ready', 'addon:metallb'],
    })
    // Without a target the profile's versions are the target, and Kubernetes is left alone.
    expect(compilePlan(profile, 'upgrade').steps[2]!.params).toMatchObject({ version: 'v1.13.9' })
    expect(planPhases(compilePlan(profile, 'upgrade'))).not.toContain('upgrade-kubernetes')
    const k3s = compilePlan(profileFromTemplate('k3s-rk1-armbian', { name: 'k', board: 'rack-1' }), 'upgrade')
    expect(planPhases(k3s)).toEqual(['backup-snapshot', 'backup-save', 'upgrade-nodes', 'upgrade-verify'])
    const backup = compilePlan(profile, 'backup')
    expect(summary(backup)).toEqual([
      'backup-snapshot | backup:etcd <- ',
      'backup-save | backup:save <- backup:etcd',
    ])
  })

  it('compiles a K3s upgrade to the asked release and a K3s destroy with the first server last', () => {
    const template = profileFromTemplate('k3s-rk1-armbian', { name: 'lab', board: 'rack-1' })
    const profile = {
      ...template,
      nodes: template.nodes.map((n, i) => (i === 1 ? { ...n, role: 'control-plane' as const } : n)),
    }
    const upgrade = compilePlan(profile, 'upgrade', { k3sVersion: 'v1.37.0+k3s1' })
    assertRunnable(upgrade)
    expect(upgrade.steps.filter((s) => s.kind === 'node.upgrade-os').map((s) => s.title)).toEqual([
      'Upgrade turing-cp1 to K3s v1.37.0+k3s1',
      'Upgrade turing-w1 to K3s v1.37.0+k3s1',
      'Upgrade turing-w2 to K3s v1.37.0+k3s1',
      'Upgrade turing-w3 to K3s v1.37.0+k3s1',
    ])
    const destroy = compilePlan(profile, 'destroy', { keepAddons: true, wipeNvme: true })
    assertRunnable(destroy)
    const resets = destroy.steps.filter((s) => s.kind === 'node.reset')
    expect(resets.map((s) => s.id)).toEqual([
      'reset:turing-w2',
      'reset:turing-w3',
      'reset:turing-w1',
      'reset:turing-cp1',
    ])
    expect(resets.at(-1)!.dependsOn).toEqual(
      expect.arrayContaining(['reset:turing-w1', 'reset:turing-w2', 'reset:turing-w3']),
    )
    expect(resets[0]!.title).toBe('Reset turing-w2 (rack-1 slot 3): wipe K3s, NVMe /dev/nvme0n1')
  })

  it('compiles a restore as a deploy whose bootstrap recovers etcd from the snapshot', () => {
    const profile = profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })
    const restore = compilePlan(profile, 'restore', { restoreSnapshot: '/backups/lab-etcd.snapshot' })
    const deploy = compilePlan(profile)
    expect(restore.operation).toBe('restore')
    expect(restore.steps.map((step) => step.id)).toEqual(deploy.steps.map((step) => step.id))
    expect(restore.steps.find((step) => step.kind === 'talos.bootstrap')).toMatchObject({
      title: 'Bootstrap etcd on turing-cp1, recovered from the snapshot lab-etcd.snapshot',
      params: { address: '10.10.88.73', recoverFrom: '/backups/lab-etcd.snapshot' },
    })
    expect(deploy.steps.find((step) => step.kind === 'talos.bootstrap')!.params).toEqual({
      address: '10.10.88.73',
    })
    expect(planSchema.parse(restore)).toEqual(restore)
  })

  it('compiles a K3s restore: the first server restores the snapshot, the other servers join it anew', () => {
    const base = profileFromTemplate('k3s-rk1-armbian', { name: 'lab', board: 'rack-1' })
    const profile = {
      ...base,
      nodes: base.nodes.map((node, i) => ({ ...node, role: i < 3 ? ('control-plane' as const) : node.role })),
    }
    const restore = compilePlan(profile, 'restore', { restoreSnapshot: '/backups/lab-etcd.snapshot' })
    const deploy = compilePlan(profile)
    expect(restore.steps.map((step) => step.id)).toEqual(deploy.steps.map((step) => step.id))
    const servers = restore.steps.filter((step) => step.kind === 'k3s.install-server')
    expect(servers).toHaveLength(3)
    expect(servers[0]).toMatchObject({
      title: `Install the K3s server on ${profile.nodes[0]!.hostname}, restored from the snapshot lab-etcd.snapshot`,
      params: { restoreFrom: '/backups/lab-etcd.snapshot' },
    })
    for (const server of servers.slice(1))
      expect(server.params).toMatchObject({ restoreFrom: '/backups/lab-etcd.snapshot' })
    expect(restore.steps.find((step) => step.kind === 'k3s.install-agent')!.params).not.toHaveProperty(
      'restoreFrom',
    )
    for (const server of deploy.steps.filter((step) => step.kind === 'k3s.install-server'))
      expect(server.params).not.toHaveProperty('restoreFrom')
    expect(planSchema.parse(restore)).toEqual(restore)
  })

  it('refuses a step whose parameters do not fit its kind', () => {
    const plan = compilePlan(profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' }))
    const flash = plan.steps.find((s) => s.kind === 'node.flash')!
    const broken = { ...plan, steps: [{ ...flash, params: { imageKey: 'x', slot: 9 } }] }
    const result = planSchema.safeParse(broken)
    expect(result.success).toBe(false)
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(
      expect.arrayContaining(['steps.0.params.board', 'steps.0.params.slot']),
    )
  })
})
