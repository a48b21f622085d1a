// The boot wait for Talos: the node has booted when its API answers (a TLS handshake on 50000) at
// the address its console reports, or on a real board at its profile address; console text alone
// is not enough, and a node that never gets there ends in a named timeout. For Armbian (K3s): a
// virtual node's SSH line on its console, a real node's login prompt or port 22.
import { describe, expect, it } from 'vitest'
import { AppError } from '../../../src-shared/contract/app-error.ts'
import { profileFromTemplate } from '../../../src-shared/profiles/profile-templates.ts'
import { fakeStepContext } from '../../../tests/support/fake-step-context.ts'
import { nodeWaitBootStep } from './node-wait-boot-step.ts'
import { virtualSshLine } from '../../../src-shared/k3s/ssh-endpoint.ts'

const profile = profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })
const maintenanceConsole = [
  '[talos] entering maintenance mode',
  '[talos] this machine is reachable at:',
  '[talos] \t127.0.0.12',
  '[talos] server certificate issued {"fingerprint": "x"}',
  '',
].join('\n')

function setup(boardAddress: string, consoleChunks: string[], answering: Set<string>) {
  const probes: string[] = []
  const step = nodeWaitBootStep({
    boards: { get: async () => ({ id: 'b1', name: 'rack-1', address: boardAddress }) as never },
    bmc: {
      readUart: async ({ since }: { since?: number }) => {
        const text = consoleChunks.shift() ?? ''
        return { text, offset: (since ?? 0) + text.length }
      },
    } as never,
    pollMs: 1,
    answers: async (host, port, _timeout, tls) => {
      probes.push(`${tls ? 'tls' : 'tcp'}://${host}:${port}`)
      return answering.has(host)
    },
  })
  return { step, probes }
}

describe('node.wait-boot for Talos', () => {
  it('waits on a virtual board for the console-reported loopback address to answer, never the profile address', async () => {
    const { step, probes } = setup(
      'https://127.0.0.1:8443',
      ['booting\n', '', maintenanceConsole],
      new Set(['127.0.0.12']),
    )
    const result = await step.run(fakeStepContext(profile, 'boot:turing-w1', 'node.wait-boot'))
    expect(result.output).toEqual({ apiAddress: '127.0.0.12' })
    expect(result.message).toMatch(
      /^turing-w1 booted: its Talos API answers on 127\.0\.0\.12:50000 after \d+ s$/,
    )
    expect(new Set(probes)).toEqual(new Set(['tls://127.0.0.12:50000']))
  })

  it('on a real board also tries the profile address', async () => {
    const { step, probes } = setup('https://10.10.88.10', ['[talos] booting\n'], new Set(['10.10.88.74']))
    const result = await step.run(fakeStepContext(profile, 'boot:turing-w1', 'node.wait-boot'))
    expect(result.output).toEqual({ apiAddress: '10.10.88.74' })
    expect(probes).toEqual(['tls://10.10.88.74:50000'])
  })

  it('is not fooled by console text: a node whose API never answers times out, named', async () => {
    const { step } = setup('https://127.0.0.1:8443', [maintenanceConsole], new Set())
    const context = fakeStepContext(
      { ...profile, timeouts: { bootSeconds: 0.05 } } as typeof profile,
      'boot:turing-w1',
      'node.wait-boot',
    )
    const error = (await step.run(context).catch((caught: unknown) => caught)) as AppError
    expect(error).toBeInstanceOf(AppError)
    expect(error.code).toBe('timeout')
    expect(error.message).toBe(
      'turing-w1 did not reach Talos maintenance mode within 0.05 s: its console stopped at "[talos] server certificate issued {"fingerprint": "x"}", and no Talos API answers on 127.0.0.12:50000.',
    )
  })

  it('says so when the console never told where the node is reachable', async () => {
    const { step, probes } = setup('https://127.0.0.1:8443', ['U-Boot 2024.01\n'], new Set())
    const context = fakeStepContext(
      { ...profile, timeouts: { bootSeconds: 0.05 } } as typeof profile,
      'boot:turing-w1',
      'node.wait-boot',
    )
    const error = (await step.run(context).catch((caught: unknown) => caught)) as AppError
    expect(error.message).toMatch(
      /its console stopped at "U-Boot 2024\.01", and it never printed the address it is reachable at\.$/,
    )
    expect(probes).toEqual([])
  })
})

describe('node.wait-boot for K3s (Armbian)', () => {
  const k3s = profileFromTemplate('k3s-rk1-armbian', { name: 'lab', board: 'rack-1' })
  const sshLine = `${virtualSshLine('127.0.0.12', 2222)}\n`

  it('on a virtual board waits for the console’s SSH line and for that port to answer', async () => {
    const { step, probes } = setup(
      'https://127.0.0.1:8443',
      ['Starting kernel ...\n', 'turing-w1 login: \n', sshLine],
      new Set(['127.0.0.12']),
    )
    const result = await step.run(fakeStepContext(k3s, 'boot:turing-w1', 'node.wait-boot'))
    expect(result.output).toEqual({ sshAddress: '127.0.0.12', sshPort: 2222 })
    expect(result.message).toMatch(/^turing-w1 booted: its SSH answers on 127\.0\.0\.12:2222 after \d+ s$/)
    // The login prompt alone is not enough there, and the profile's address is never probed.
    expect(probes).toEqual(['tcp://127.0.0.12:2222'])
  })

  it('on a real board reaches the node at its profile address, port 22', async () => {
    const { step, probes } = setup('https://10.10.88.10', ['Armbian booting\n'], new Set(['10.10.88.74']))
    const result = await step.run(fakeStepContext(k3s, 'boot:turing-w1', 'node.wait-boot'))
    expect(result.output).toEqual({ sshAddress: '10.10.88.74', sshPort: 22 })
    expect(probes).toEqual(['tcp://10.10.88.74:22'])
  })

  it('on a real board a login prompt on the console is enough', async () => {
    const { step, probes } = setup('https://10.10.88.10', ['turing-w1 login: '], new Set())
    const result = await step.run(fakeStepContext(k3s, 'boot:turing-w1', 'node.wait-boot'))
    expect(result.output).toEqual({ sshAddress: '10.10.88.74', sshPort: 22 })
    expect(result.message).toMatch(/its console shows "login:"/)
    expect(probes).toEqual([])
  })

  it('says when a virtual node never printed where its SSH answers', async () => {
    const { step } = setup('https://127.0.0.1:8443', ['turing-w1 login: \n'], new Set())
    const context = fakeStepContext(
      { ...k3s, timeouts: { bootSeconds: 0.05, readySeconds: 900 } },
      'boot:turing-w1',
      'node.wait-boot',
    )
    const error = (await step.run(context).catch((caught: unknown) => caught)) as AppError
    expect(error.code).toBe('timeout')
    expect(error.message).toBe(
      'turing-w1 did not boot within 0.05 s: its console stopped at "turing-w1 login:", and it never printed where its SSH answers.',
    )
  })
})
