// The Talos day-2 steps' decisions against a scripted talosctl and BMC: what a reset wipes and
// how gracefully, when a node counts as reset or powered off already, which installer an upgrade
// uses (and when it refuses one), and when a node counts as upgraded.
import { describe, expect, it } from 'vitest'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { ClusterRecord } from '../../src-shared/clusters/cluster-schema.ts'
import type { OperationOptions } from '../../src-shared/lifecycle/plan.ts'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import { fakeStepContext } from '../../tests/support/fake-step-context.ts'
import type { TalosctlCall } from '../talos/talosctl-runner.ts'
import type { Day2Dependencies } from './day2-support.ts'
import { nodePowerOffStep } from './node-power-off-step.ts'
import { talosResetStep } from './talos-reset-step.ts'
import { talosUpgradeStep } from './talos-upgrade-step.ts'

const profile = {
  ...profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' }),
  versions: { talos: 'v1.12.0', kubernetes: 'v1.35.0' },
}
const talosconfig = 'context: lab\ncontexts:\n  lab:\n    key: S0VZLW9mLXRoZS1jbGllbnQ=\n'
const kubeconfig = 'apiVersion: v1\nkind: Config\n'
const schematic = 'b'.repeat(64)

interface FakeNode {
  version: string
  mode: 'configured' | 'maintenance' | 'off'
}

function setUp(options: { imageUrl?: string | null } = {}) {
  const nodes = new Map<string, FakeNode>(
    profile.nodes.map((n) => [n.address, { version: 'v1.12.0', mode: 'configured' }]),
  )
  const power = new Map(profile.nodes.map((n) => [n.slot, true]))
  const calls: string[] = []
  const failed = (code: string, message: string) =>
    new AppError('tool_failed', `talosctl failed (exit code 1): rpc error: code = ${code} desc = ${message}`)
  const run = async (call: TalosctlCall) => {
    const args = call.args.map(String)
    calls.push(args.join(' '))
    const node = nodes.get(args[args.indexOf('-n') + 1]!)!
    if (node.mode === 'off') throw failed('Unavailable', 'connection refused')
    const insecure = args.includes('--insecure')
    if (insecure !== (node.mode === 'maintenance'))
      throw failed('Unavailable', 'authentication handshake failed')
    switch (args[0]) {
      case 'version':
        if (insecure) throw failed('Unimplemented', 'API is not implemented in maintenance mode')
        return `Client:\n\tTag:         v1.12.0\nServer:\n\tTag:         ${node.version}\n`
      case 'reset':
        node.mode = 'off'
        return ''
      case 'upgrade':
        node.version = /:(v[\d.]+)$/.exec(args[args.indexOf('--image') + 1]!)![1]!
        return ''
      case 'services':
        return 'NODE SERVICE STATE HEALTH\n127.0.0.11 etcd Running OK\n'
    }
    throw new Error(`unexpected talosctl ${args.join(' ')}`)
  }
  const record = {
    id: 'c-1',
    versions: profile.versions,
    nodes: profile.nodes.map((n) => ({
      hostname: n.hostname,
      apiAddress: n.address,
      imageSha256: 'f'.repeat(64),
    })),
  } as unknown as ClusterRecord
  const deps: Day2Dependencies = {
    tools: {
      resolve: async (tool, version) => ({
        tool,
        path: `/bin/talosctl-${version}`,
        version: version ?? '',
        source: 'path',
      }),
    },
    boards: { get: async (name) => ({ id: `id-${name}`, name, address: 'https://10.0.0.2' }) as never },
    appliedConfigs: { sha256Of: () => null, record: () => undefined },
    imageSourceUrl: () =>
      options.imageUrl === undefined
        ? `https://factory.talos.dev/image/${schematic}/v1.12.0/metal-arm64.raw.xz`
        : options.imageUrl,
    runner: () => run,
    pollMs: 1,
    bmc: {
      status: async () => ({
        nodes: [...power].map(([node, on]) => ({ node, poweredOn: on }) as never),
        usb: {} as never,
        flash: {} as never,
      }),
      power: async ({ target, action }) => {
        power.set(target as 1, action === 'on')
        return {}
      },
    },
    dataDir: '/nonexistent',
    clusterRecord: () => record,
    forgetSecrets: async () => undefined,
  }
  return { nodes, power, calls, deps }
}

const context = <K extends 'node.reset' | 'node.power-off' | 'node.upgrade-os'>(
  kind: K,
  stepId: string,
  operation: 'destroy' | 'upgrade',
  options: OperationOptions = {},
) =>
  fakeStepContext(profile, stepId, kind, {
    operation,
    operationOptions: options,
    sealed: { talosconfig, kubeconfig },
  })

describe('the Talos reset of a destroy', () => {
  it('wipes STATE and EPHEMERAL (and the NVMe drive when asked) gracefully, then waits until the node is gone', async () => {
    const { deps, calls } = setUp()
    const step = talosResetStep(deps)
    const worker = context('node.reset', 'reset:turing-w1', 'destroy', { wipeNvme: true })
    expect(await step.alreadyDone!(worker)).toBeNull()
    const result = await step.run(worker)
    expect(calls).toContain(
      'reset --graceful=true --reboot=false --wait=false --system-labels-to-wipe STATE --system-labels-to-wipe EPHEMERAL --user-disks-to-wipe /dev/nvme0n1 -n 10.10.88.74 -e 10.10.88.74',
    )
    expect(result.message).toMatch(/^Reset turing-w1: wiped STATE, EPHEMERAL, \/dev\/nvme0n1/)
  })

  it('resets the last control plane without leaving etcd, which has no one left', async () => {
    const { deps, calls } = setUp()
    await talosResetStep(deps).run(context('node.reset', 'reset:turing-cp1', 'destroy'))
    expect(calls.find((call) => call.startsWith('reset'))).toMatch(/^reset --graceful=false /)
  })

  it('counts a node that is off, or back in maintenance mode, as reset', async () => {
    const { deps, nodes, power } = setUp()
    const step = talosResetStep(deps)
    power.set(2, false)
    expect(await step.alreadyDone!(context('node.reset', 'reset:turing-w1', 'destroy'))).toMatchObject({
      message: 'turing-w1 is powered off (rack-1 slot 2)',
    })
    nodes.get('10.10.88.75')!.mode = 'maintenance'
    expect(await step.alreadyDone!(context('node.reset', 'reset:turing-w2', 'destroy'))).toMatchObject({
      message: expect.stringMatching(/answers in maintenance mode/),
    })
  })

  it('powers a slot off through the BMC and is done only once the BMC reports it off', async () => {
    const { deps, power } = setUp()
    const step = nodePowerOffStep(deps)
    const ctx = context('node.power-off', 'power-off:turing-w3', 'destroy')
    expect(await step.alreadyDone!(ctx)).toBeNull()
    expect((await step.run(ctx)).message).toBe(
      'turing-w3 is off: the BMC of rack-1 reports slot 4 powered off',
    )
    expect(power.get(4)).toBe(false)
    expect(await step.alreadyDone!(ctx)).not.toBeNull()
  })
})

describe('the Talos node upgrade', () => {
  const readiness = async () => profile.nodes.map((n) => ({ name: n.hostname, ready: true, reason: '' }))

  it('upgrades with the installer of the node’s own schematic at the target version', async () => {
    const { deps, calls, nodes } = setUp()
    const step = talosUpgradeStep({ ...deps, listNodeReadiness: readiness })
    const ctx = context('node.upgrade-os', 'upgrade:turing-w2', 'upgrade', { talosVersion: 'v1.12.3' })
    expect(await step.alreadyDone!(ctx)).toBeNull()
    const result = await step.run(ctx)
    expect(calls).toContain(
      `upgrade --image factory.talos.dev/metal-installer/${schematic}:v1.12.3 --wait=false -n 10.10.88.75 -e 10.10.88.75`,
    )
    expect(result.message).toBe('turing-w2 moved from Talos v1.12.0 to v1.12.3; Ready')
    expect(nodes.get('10.10.88.75')!.version).toBe('v1.12.3')
    // Run again (a resumed run), the node counts as done.
    expect(await step.alreadyDone!(ctx)).toMatchObject({ message: 'turing-w2 runs Talos v1.12.3, Ready' })
  })

  it('refuses a vanilla installer: without the schematic the node was flashed from, nothing is upgraded', async () => {
    const { deps, calls } = setUp({ imageUrl: 'https://example.com/talos-arm64.raw.xz' })
    const step = talosUpgradeStep({ ...deps, listNodeReadiness: readiness })
    await expect(
      step.run(context('node.upgrade-os', 'upgrade:turing-w1', 'upgrade', { talosVersion: 'v1.12.3' })),
    ).rejects.toThrow(/installer of turing-w1’s own schematic is unknown.*came from https:\/\/example\.com/)
    expect(calls.filter((call) => call.startsWith('upgrade'))).toEqual([])
  })

  it('waits for a control plane’s etcd and Ready condition, not just its version', async () => {
    const { deps } = setUp()
    let ready = false
    const step = talosUpgradeStep({
      ...deps,
      listNodeReadiness: async () => [{ name: 'turing-cp1', ready, reason: ready ? '' : 'KubeletNotReady' }],
    })
    const ctx = context('node.upgrade-os', 'upgrade:turing-cp1', 'upgrade', { talosVersion: 'v1.12.1' })
    setTimeout(() => (ready = true), 30)
    const result = await step.run(ctx)
    expect(ctx.lines.some((line) => /turing-cp1 is not Ready \(KubeletNotReady\)/.test(line))).toBe(true)
    expect(result.message).toMatch(/Ready, etcd healthy$/)
  })
})
