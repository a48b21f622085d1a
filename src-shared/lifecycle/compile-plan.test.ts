import { describe, expect, it } from 'vitest'
import { profileFromTemplate } from '../profiles/profile-templates.ts'
import { compilePlan } from './compile-plan.ts'
import { phaseIds, type Plan } from './plan.ts'

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
      'cluster-bootstrap | talos:export <- talos:bootstrap',
      'cluster-bootstrap | cluster:nodes-ready <- talos:export, talos:apply:turing-cp1, talos:apply:turing-w1, talos:apply:turing-w2, talos:apply:turing-w3',
      'addon-deployment | addon:metallb <- cluster:nodes-ready',
      'addon-deployment | addon:ingressNginx <- cluster:nodes-ready, addon:metallb',
      'addon-deployment | addon:certManager <- cluster:nodes-ready, addon:ingressNginx',
      'addon-deployment | addon:longhorn <- cluster:nodes-ready, addon:metallb',
      'addon-deployment | addon:monitoring <- cluster:nodes-ready, addon:longhorn',
      'addon-deployment | addon:portainer <- cluster:nodes-ready, addon:metallb',
      'ready | cluster:ready <- addon:metallb, addon:ingressNginx, addon:certManager, addon:longhorn, addon:monitoring, addon:portainer',
    ])
    expect(new Set(plan.steps.filter((s) => s.kind === 'node.flash').map((s) => s.resource))).toEqual(
      new Set(['board:rack-1']),
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
      'addon:ingressNginx',
      'addon:certManager',
      'addon:longhorn',
    ])
  })
})
