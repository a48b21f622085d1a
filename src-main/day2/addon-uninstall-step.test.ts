// The addon.uninstall step's order: Longhorn's deletion flag is set through the Kubernetes API
// before helm runs, and a flag that cannot be set stops the step before anything is removed.
// Against a recording helm and an API server that is not there; the removal itself, and the
// stand-in chart refusing without the flag, are tested in tests/peers/addon-install.test.ts.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { AddonKey } from '../../src-shared/lifecycle/plan.ts'
import { stepIds } from '../../src-shared/lifecycle/step-ids.ts'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import { closedPort } from '../../tests/support/closed-port.ts'
import { fakeStepContext } from '../../tests/support/fake-step-context.ts'
import { makeTempDir } from '../../tests/support/temp-dir.ts'
import { addonUninstallStep } from './addon-uninstall-step.ts'

const profile = profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })

describe('addon.uninstall', () => {
  let dir: ReturnType<typeof makeTempDir>
  let calls: string
  let step: ReturnType<typeof addonUninstallStep>

  beforeEach(() => {
    dir = makeTempDir()
    calls = join(dir.path, 'helm-calls')
    writeFileSync(calls, '')
    const helm = join(dir.path, 'helm')
    // A helm that records its subcommand and release, and succeeds.
    writeFileSync(helm, `#!/bin/sh\necho "$1 $2" >> '${calls}'\n`)
    chmodSync(helm, 0o755)
    step = addonUninstallStep({
      tools: { resolve: async () => ({ tool: 'helm', path: helm, version: 'v4.0.0', source: 'path' }) },
      dataDir: dir.path,
    })
  })
  afterEach(() => dir.remove())

  async function contextFor(addon: AddonKey) {
    const server = `https://127.0.0.1:${await closedPort()}`
    const kubeconfig = stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'lab', cluster: { server } }],
      users: [{ name: 'admin', user: { token: 'unit-test-token' } }],
      contexts: [{ name: 'admin@lab', context: { cluster: 'lab', user: 'admin' } }],
      'current-context': 'admin@lab',
    })
    return fakeStepContext(profile, stepIds.addonUninstall(addon), 'addon.uninstall', {
      operation: 'destroy',
      sealed: { kubeconfig },
    })
  }

  it('sets Longhorn’s deleting-confirmation-flag before helm uninstall: when it cannot, helm never runs', async () => {
    const context = await contextFor('longhorn')
    const error = await step.run(context).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AppError)
    expect(error).toMatchObject({
      code: 'network_unreachable',
      message: expect.stringContaining(
        'to set Longhorn\'s deleting-confirmation-flag (settings.longhorn.io in longhorn-system) to "true"',
      ),
    })
    expect(readFileSync(calls, 'utf8')).toBe('')
    expect(context.lines.some((line) => line.startsWith('helm uninstall'))).toBe(false)
  })

  it('uninstalls any other add-on with helm alone', async () => {
    const context = await contextFor('portainer')
    expect(await step.run(context)).toMatchObject({
      message: 'Uninstalled Portainer (release portainer in portainer)',
    })
    expect(readFileSync(calls, 'utf8')).toBe('uninstall portainer\n')
  })
})
