// The Talos steps' decisions against a stand-in talosctl: where each node is reached, when a config
// is applied in maintenance mode, over mutual TLS, or not at all; a refused second bootstrap as
// done; the waits that end in named timeouts; talosctl missing.
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import { fakeStepContext } from '../../tests/support/fake-step-context.ts'
import { FakeTalosctl } from '../../tests/support/fake-talosctl.ts'
import type { StepContext } from '../lifecycle/step-executor.ts'
import { aimTalosconfig, talosSteps } from './talos-steps.ts'
import { sha256, type TalosStepDependencies } from './talos-step-support.ts'

const template = profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })
const profile = {
  ...template,
  versions: { ...template.versions, talos: 'v1.12.0' },
  timeouts: { bootSeconds: 10, readySeconds: 900 },
}
const talosconfig = [
  'context: lab',
  'contexts:',
  '    lab:',
  '        endpoints:',
  '            - 10.10.88.73',
  '        ca: Q0EtY2VydGlmaWNhdGUtb2YtdGhlLWNsdXN0ZXI=',
  '        crt: Y2xpZW50LWNlcnRpZmljYXRl',
  '        key: Y2xpZW50LXByaXZhdGUta2V5',
  '',
].join('\n')
const configOf = (hostname: string) => `version: v1alpha1\nmachine:\n  token: tok-${hostname}-0123456789\n`

interface Setup {
  boardAddress?: string
  recorded?: Record<string, string>
  missingTalosctl?: boolean
}

function setup({ boardAddress = 'https://127.0.0.1:8443', recorded = {}, missingTalosctl }: Setup = {}) {
  const talosctl = new FakeTalosctl(talosconfig)
  const deps: TalosStepDependencies = {
    tools: {
      resolve: async () => {
        if (missingTalosctl) {
          throw new AppError(
            'tool_missing',
            'talosctl for Talos v1.12 is not installed',
            'Install it under Settings → Tools, or run: clusterdeck tools install talosctl --for v1.12.0',
          )
        }
        return { tool: 'talosctl', path: '/opt/talosctl', version: 'v1.12.0', source: 'path' }
      },
    },
    boards: {
      get: async () =>
        ({ address: boardAddress }) as Awaited<ReturnType<TalosStepDependencies['boards']['get']>>,
    },
    imageSourceUrl: () => null,
    appliedConfigs: {
      sha256Of: (_profile, hostname) => recorded[hostname] ?? null,
      record: (_profile, node, applied) => void (recorded[node.hostname] = applied.configSha256),
    },
    runner: () => talosctl.run,
    pollMs: 1,
  }
  return { talosctl, steps: talosSteps(deps) }
}

const sealed = () => ({
  talosconfig,
  ...Object.fromEntries(
    profile.nodes.map((node) => [`machine-config-${node.hostname}`, configOf(node.hostname)]),
  ),
})

function applyContext(hostname: string, maintenanceAddress: string) {
  return fakeStepContext(profile, `talos:apply:${hostname}`, 'talos.apply-config', {
    outputs: { [`boot:${hostname}`]: { apiAddress: maintenanceAddress } },
    sealed: sealed(),
  })
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(AppError)
  return error as AppError
}

/** What the engine does: the skip check, then the run when there is nothing to skip. */
async function execute<K extends 'talos.apply-config'>(
  executor: ReturnType<typeof talosSteps>[K],
  context: StepContext<K>,
) {
  const skipped = await executor.alreadyDone!(context)
  return skipped ? { skipped: true, ...skipped } : { skipped: false, ...(await executor.run(context)) }
}

describe('talos.apply-config', () => {
  it('applies in maintenance mode to the address the node reported, and keeps that loopback address on the virtual board', async () => {
    const { talosctl, steps } = setup()
    talosctl.nodes.set('127.0.0.12', { hostname: 'turing-w1', mode: 'maintenance', rebootPolls: 2 })
    const context = applyContext('turing-w1', '127.0.0.12')
    const result = await execute(steps['talos.apply-config'], context)
    expect(result).toMatchObject({
      skipped: false,
      output: { apiAddress: '127.0.0.12', configSha256: sha256(configOf('turing-w1')) },
    })
    expect(talosctl.nodes.get('127.0.0.12')!.config).toBe(configOf('turing-w1'))
    expect(talosctl.calls).toContain('apply-config --insecure -n 127.0.0.12 -e 127.0.0.12 --file <file>')
    // It waited until the rebooted node answered with the cluster's credentials.
    expect(
      talosctl.calls.filter((call) => call === 'version -n 127.0.0.12 -e 127.0.0.12 [talosconfig]').length,
    ).toBe(3)
    expect(context.secrets).toContain('Y2xpZW50LXByaXZhdGUta2V5')
  })

  it('on a real board reaches the configured node at its profile address, not its maintenance DHCP address', async () => {
    const { talosctl, steps } = setup({ boardAddress: 'https://10.10.88.10' })
    talosctl.nodes.set('10.10.88.140', { hostname: 'turing-cp1', mode: 'maintenance' })
    talosctl.nodes.set('10.10.88.73', { hostname: 'turing-cp1', mode: 'silent' })
    const context = applyContext('turing-cp1', '10.10.88.140')
    const run = steps['talos.apply-config'].run(context)
    // The node comes back on its static address once it took its config.
    await new Promise((resolve) => setTimeout(resolve, 20))
    talosctl.nodes.set('10.10.88.73', { hostname: 'turing-cp1', mode: 'configured' })
    expect((await run).output).toMatchObject({ apiAddress: '10.10.88.73' })
    expect(talosctl.calls).toContain('apply-config --insecure -n 10.10.88.140 -e 10.10.88.140 --file <file>')
  })

  it('skips a node that answers with the cluster’s credentials and was given this very config', async () => {
    const { talosctl, steps } = setup({ recorded: { 'turing-w2': sha256(configOf('turing-w2')) } })
    talosctl.nodes.set('127.0.0.13', { hostname: 'turing-w2', mode: 'configured' })
    const result = await execute(steps['talos.apply-config'], applyContext('turing-w2', '127.0.0.13'))
    expect(result).toMatchObject({ skipped: true, output: { apiAddress: '127.0.0.13' } })
    expect(result.message).toMatch(/^turing-w2 runs Talos v1\.12\.0 at 127\.0\.0\.13 with this config/)
    expect(talosctl.calls.some((call) => call.startsWith('apply-config'))).toBe(false)
  })

  it('applies over mutual TLS to a node configured with another config', async () => {
    const { talosctl, steps } = setup({ recorded: { 'turing-w2': 'an-older-config' } })
    talosctl.nodes.set('127.0.0.13', { hostname: 'turing-w2', mode: 'configured', config: 'old' })
    const result = await execute(steps['talos.apply-config'], applyContext('turing-w2', '127.0.0.13'))
    expect(result.skipped).toBe(false)
    expect(talosctl.calls).toContain('apply-config -n 127.0.0.13 -e 127.0.0.13 --file <file> [talosconfig]')
    expect(talosctl.nodes.get('127.0.0.13')!.config).toBe(configOf('turing-w2'))
  })

  it('fails, naming both addresses, when the node answers neither way', async () => {
    const { steps } = setup()
    const error = await failure(steps['talos.apply-config'].run(applyContext('turing-w3', '127.0.0.14')))
    expect(error.code).toBe('network_unreachable')
    expect(error.message).toBe(
      'turing-w3 answers neither in maintenance mode at 127.0.0.14:50000 nor with the cluster’s credentials at 127.0.0.14:50000.',
    )
  })

  it('times out, naming the node, when it never comes back configured', async () => {
    const { talosctl, steps } = setup()
    talosctl.nodes.set('127.0.0.14', { hostname: 'turing-w3', mode: 'maintenance', rebootPolls: 1e9 })
    const context = applyContext('turing-w3', '127.0.0.14')
    const started = Date.now()
    const error = await failure(
      steps['talos.apply-config'].run({
        ...context,
        profile: { ...profile, timeouts: { bootSeconds: 0.05, readySeconds: 900 } },
      }),
    )
    expect(Date.now() - started).toBeLessThan(5000)
    expect(error.code).toBe('timeout')
    expect(error.message).toMatch(
      /^turing-w3 took its config but did not answer with the cluster’s credentials at 127\.0\.0\.14:50000/,
    )
  })

  it('fails with what to install when talosctl is missing or of the wrong version', async () => {
    const { steps } = setup({ missingTalosctl: true })
    const error = await failure(steps['talos.apply-config'].run(applyContext('turing-w1', '127.0.0.12')))
    expect(error.code).toBe('tool_missing')
    expect(error.message).toBe(
      '"Apply the worker config to turing-w1" needs talosctl for Talos v1.12.0: talosctl for Talos v1.12 is not installed.',
    )
    expect(error.hint).toMatch(/clusterdeck tools install talosctl --for v1\.12\.0/)
  })
})

describe('talos.bootstrap', () => {
  const bootstrapContext = () =>
    fakeStepContext(profile, 'talos:bootstrap', 'talos.bootstrap', {
      outputs: { 'talos:apply:turing-cp1': { apiAddress: '127.0.0.11' } },
      sealed: sealed(),
    })

  it('asks again while the node is not ready for it, then bootstraps once; a second run counts the refusal as done', async () => {
    const { talosctl, steps } = setup()
    talosctl.nodes.set('127.0.0.11', { hostname: 'turing-cp1', mode: 'configured', notReadyForBootstrap: 2 })
    const first = await steps['talos.bootstrap'].run(bootstrapContext())
    expect(first.message).toBe('Bootstrapped etcd on turing-cp1 (127.0.0.11)')
    const again = await steps['talos.bootstrap'].run(bootstrapContext())
    expect(again.message).toBe(
      'turing-cp1 was bootstrapped before: it refused a second bootstrap, as it should',
    )
    expect(talosctl.bootstraps).toBe(1)
    expect(
      talosctl.calls.filter((call) => call.startsWith('bootstrap -n 127.0.0.11 -e 127.0.0.11')).length,
    ).toBe(4)
  })

  it('passes on any other refusal at once', async () => {
    const { talosctl, steps } = setup()
    talosctl.nodes.set('127.0.0.11', {
      hostname: 'turing-cp1',
      mode: 'configured',
      bootstrapRefusal: ['FailedPrecondition', 'bootstrap can only be performed on a control plane node'],
    })
    const error = await failure(steps['talos.bootstrap'].run(bootstrapContext()))
    expect(error.code).toBe('tool_failed')
    expect(error.message).toMatch(/bootstrap can only be performed on a control plane node$/)
  })

  it('names the timeout when the node never lets itself be bootstrapped', async () => {
    const { talosctl, steps } = setup()
    talosctl.nodes.set('127.0.0.11', {
      hostname: 'turing-cp1',
      mode: 'configured',
      notReadyForBootstrap: 1e9,
    })
    const context = bootstrapContext()
    const error = await failure(
      steps['talos.bootstrap'].run({
        ...context,
        profile: { ...profile, timeouts: { bootSeconds: 0.05, readySeconds: 900 } },
      }),
    )
    expect(error.code).toBe('timeout')
    expect(error.message).toBe(
      'turing-cp1 did not accept the bootstrap within 0.05 s; its last answer: time is not in sync yet.',
    )
    expect(talosctl.bootstraps).toBe(0)
  })
})

describe('talos.export-configs', () => {
  it('seals the kubeconfig once the API hands it out, and the talosconfig aimed at the nodes’ API addresses', async () => {
    const { talosctl, steps } = setup()
    talosctl.nodes.set('127.0.0.11', { hostname: 'turing-cp1', mode: 'configured' })
    talosctl.kubeconfigNotYet = 2
    const addresses = ['127.0.0.11', '127.0.0.12', '127.0.0.13', '127.0.0.14']
    const context = fakeStepContext(profile, 'talos:export', 'talos.export-configs', {
      outputs: Object.fromEntries(
        profile.nodes.map((node, i) => [`talos:apply:${node.hostname}`, { apiAddress: addresses[i] }]),
      ),
      sealed: sealed(),
    })
    const result = await steps['talos.export-configs'].run(context)
    expect(result.output).toEqual({ endpoints: ['127.0.0.11'], nodes: addresses })
    expect(context.files.get('kubeconfig')).toMatch(/client-key-data/)
    // The key inside the kubeconfig is registered on its own, so a log line quoting it is redacted.
    expect(context.secrets).toContain('S0VZLW9mLXRoZS1hZG1pbg==')
    const aimed = parse(context.files.get('talosconfig')!) as { contexts: { lab: Record<string, unknown> } }
    expect(aimed.contexts.lab).toMatchObject({
      endpoints: ['127.0.0.11'],
      nodes: addresses,
      key: 'Y2xpZW50LXByaXZhdGUta2V5',
    })
    expect(context.lines.join('\n')).not.toMatch(/client-key-data/)
  })

  it('aims a talosconfig without touching its credentials', () => {
    const aimed = parse(aimTalosconfig(talosconfig, ['10.0.0.1'], ['10.0.0.1', '10.0.0.2'])) as {
      context: string
      contexts: { lab: Record<string, unknown> }
    }
    expect(aimed.context).toBe('lab')
    expect(aimed.contexts.lab).toEqual({
      endpoints: ['10.0.0.1'],
      nodes: ['10.0.0.1', '10.0.0.2'],
      ca: 'Q0EtY2VydGlmaWNhdGUtb2YtdGhlLWNsdXN0ZXI=',
      crt: 'Y2xpZW50LWNlcnRpZmljYXRl',
      key: 'Y2xpZW50LXByaXZhdGUta2V5',
    })
  })
})
