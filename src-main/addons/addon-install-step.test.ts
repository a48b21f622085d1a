// The add-on step's refusals before it touches anything, and what a failed upgrade says; installing
// is tested against the loopback cluster in tests/peers/addon-install.test.ts, upgrading in
// tests/peers/addon-upgrade.test.ts.
import { describe, expect, it } from 'vitest'
import { addonEntry } from '../../src-shared/addons/addon-catalogue.ts'
import { valuesFor } from '../../src-shared/addons/addon-values.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { AddonKey } from '../../src-shared/lifecycle/plan.ts'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import type { StepContext } from '../lifecycle/step-executor.ts'
import { addonInstallStep, describeValues, failedUpgrade } from './addon-install-step.ts'

const profile = profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })

function contextFor(addon: AddonKey, opened: string[]): StepContext<'addon.install'> {
  return {
    runId: 'run',
    runCreatedAt: new Date().toISOString(),
    step: {
      kind: 'addon.install',
      id: `addon:${addon}`,
      phase: 'addon-deployment',
      title: addon,
      dependsOn: [],
      resources: [],
      params: { addon },
    },
    profile,
    signal: new AbortController().signal,
    confirmations: [],
    log: () => undefined,
    secret: () => undefined,
    outputOf: () => undefined,
    sealed: {
      seal: async () => undefined,
      open: async (name) => {
        opened.push(name)
        throw new AppError('not_found', `no sealed secret "${name}"`)
      },
    },
  }
}

const noTools = {
  resolve: async () => {
    throw new Error('helm must not be resolved')
  },
}

describe('addon.install', () => {
  it('fails naming the missing kubeconfig and what to do, before running anything', async () => {
    const step = addonInstallStep({ tools: noTools, dataDir: '/nonexistent' })
    const opened: string[] = []
    const error = await step.run(contextFor('metallb', opened)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AppError)
    expect(error).toMatchObject({
      code: 'not_found',
      message: 'The cluster has no kubeconfig yet, so no add-on can be installed.',
      hint: 'Run the cluster bootstrap first: it exports the kubeconfig.',
    })
    expect(opened).toEqual(['kubeconfig'])
  })

  it('does not count monitoring as installed while no Grafana password was ever sealed', async () => {
    const step = addonInstallStep({ tools: noTools, dataDir: '/nonexistent' })
    const opened: string[] = []
    expect(await step.alreadyDone!(contextFor('monitoring', opened))).toBeNull()
    expect(opened).toEqual(['grafana-admin-password'])
  })

  it('describes a release by chart version and a hash of its values, which any change moves', () => {
    const entry = addonEntry('longhorn')
    const before = describeValues(entry, valuesFor('longhorn', profile))
    expect(before).toMatch(/^clusterdeck longhorn 1\.12\.1 values sha256:[0-9a-f]{32}$/)
    expect(describeValues(entry, valuesFor('longhorn', profile))).toBe(before)
    const changed = structuredClone(profile)
    changed.addons.longhorn.replicaCount = 3
    expect(describeValues(entry, valuesFor('longhorn', changed))).not.toBe(before)
  })

  it('a failed upgrade names the release, both charts and the revision helm rollback returns it to', () => {
    const cause = new AppError(
      'tool_failed',
      'helm upgrade --install failed (exit code 1): Error: UPGRADE FAILED',
    )
    const revision = (n: number, status: string, version = '42.3.0') => ({
      revision: n,
      status,
      chart: `traefik-${version}`,
      description: '',
    })
    // An earlier attempt failed already (revision 4): the one to go back to is the deployed 3.
    const before = revision(4, 'failed', '42.4.3')
    const history = [
      revision(2, 'superseded'),
      revision(3, 'deployed'),
      before,
      revision(5, 'failed', '42.4.3'),
    ]
    const error = failedUpgrade(addonEntry('traefik'), 'lab', before, history, cause)
    expect(error.code).toBe('tool_failed')
    expect(error.message).toBe(
      'The traefik release in traefik failed to move from traefik-42.4.3 (revision 4) to traefik-42.4.3, left as revision 5 (failed): helm upgrade --install failed (exit code 1): Error: UPGRADE FAILED',
    )
    expect(error.hint).toContain(
      'Roll it back to revision 3 (traefik-42.3.0): helm rollback traefik 3 --namespace traefik --kubeconfig FILE, with FILE from clusterdeck cluster kubeconfig lab -o FILE',
    )
    expect(error.details).toEqual({ release: 'traefik', namespace: 'traefik', rollbackTo: '3' })

    // A release that never worked has nothing to go back to: removing it is what is left.
    const never = failedUpgrade(addonEntry('traefik'), 'lab', before, [before, revision(5, 'failed')], cause)
    expect(never.hint).toMatch(/^No revision of it ever worked.*helm uninstall traefik --namespace traefik/)
    expect(never.details).toEqual({ release: 'traefik', namespace: 'traefik' })
  })

  it('an upgrade helm refused before changing anything says so, and names no rollback', () => {
    const cause = new AppError('tool_failed', 'helm upgrade --install failed (exit code 1): chart not found')
    const before = { revision: 3, status: 'deployed', chart: 'traefik-42.3.0', description: '' }
    const error = failedUpgrade(addonEntry('traefik'), 'lab', before, [before], cause)
    expect(error.message).toBe(
      'The traefik release in traefik was not upgraded from traefik-42.3.0 (revision 3) to traefik-42.4.3: helm upgrade --install failed (exit code 1): chart not found',
    )
    expect(error.hint).toMatch(/^helm changed nothing, so there is nothing to roll back/)
    expect(error.hint).not.toContain('helm rollback')

    // helm could not be asked afterwards: where the release was left is for helm history to say.
    const unknown = failedUpgrade(addonEntry('traefik'), 'lab', before, null, cause)
    expect(unknown.message).toMatch(/^The traefik release in traefik failed to move from traefik-42\.3\.0/)
    expect(unknown.hint).toMatch(/^See where it was left with helm history traefik --namespace traefik/)
  })
})
