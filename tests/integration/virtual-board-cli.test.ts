// The virtual-board command in-process: it starts a real board, prints how to reach it and stops on a signal.
import { PassThrough } from 'node:stream'
import { Command } from 'commander'
import { Agent, request } from 'undici'
import { describe, expect, it } from 'vitest'
import type { CliIo } from '../../src-main/cli/cli-io.ts'
import { registerVirtualBoardCommand } from '../../src-main/cli/virtual-board-command.ts'

function testIo(env: NodeJS.ProcessEnv = {}): { io: CliIo; output: () => string } {
  const stdout = new PassThrough()
  let text = ''
  stdout.on('data', (chunk: Buffer) => (text += chunk.toString()))
  return { io: { stdin: new PassThrough(), stdout, stderr: new PassThrough(), env }, output: () => text }
}

describe('clusterdeck virtual-board', () => {
  it('starts a board, prints how to reach it and stops on SIGTERM', async () => {
    const { io, output } = testIo()
    const program = new Command('clusterdeck').exitOverride()
    registerVirtualBoardCommand(program, io)
    const running = program.parseAsync(['virtual-board', '--firmware', '2.0.5', '--write-speed', '0'], {
      from: 'user',
    })

    await expect.poll(output, { timeout: 10_000 }).toContain('Stop it with Ctrl+C.')
    const url = /URL: +(\S+)/.exec(output())![1]!
    expect(output()).toMatch(/User: +root\n {2}Password: +turing\n/)
    expect(output()).toMatch(/SHA-256 fingerprint ([0-9A-F]{2}:){31}[0-9A-F]{2}\n/)
    expect(output()).toContain('write unlimited, verify unlimited')
    expect(output()).toContain('Talos:        no Kubernetes API or etcd behind control planes')
    expect(output()).toContain("K3s:          no Kubernetes API behind Armbian nodes' K3s")

    const agent = new Agent({ connect: { rejectUnauthorized: false } })
    const info = await request(`${url}/api/bmc/info`, { dispatcher: agent })
    expect(info.statusCode).toBe(200)
    expect(await info.body.text()).toContain('"version":"2.0.5"')
    await agent.close()

    process.emit('SIGTERM', 'SIGTERM')
    await running
    expect(output()).toContain('Received SIGTERM; stopping the virtual board.')
  })

  it('runs its control planes on the loopback etcd the environment names, and refuses a bad one', async () => {
    const { io, output } = testIo({ CLUSTERDECK_VIRTUAL_ETCD: 'http://127.0.0.1:2379' })
    const program = new Command('clusterdeck').exitOverride()
    registerVirtualBoardCommand(program, io)
    const running = program.parseAsync(['virtual-board'], { from: 'user' })
    await expect.poll(output, { timeout: 10_000 }).toContain('Stop it with Ctrl+C.')
    expect(output()).toContain("Talos:        control planes backed by the loopback cluster's etcd\n")
    // K3s needs the Kubernetes API, which only the etcd was given here.
    expect(output()).toContain("K3s:          no Kubernetes API behind Armbian nodes' K3s")
    process.emit('SIGTERM', 'SIGTERM')
    await running

    const bad = testIo({ CLUSTERDECK_VIRTUAL_ETCD: 'https://127.0.0.1:2379' })
    const refusing = new Command('clusterdeck').exitOverride()
    registerVirtualBoardCommand(refusing, bad.io)
    await expect(refusing.parseAsync(['virtual-board'], { from: 'user' })).rejects.toMatchObject({
      code: 'invalid_input',
      hint: expect.stringContaining('CLUSTERDECK_VIRTUAL_ETCD'),
    })
    expect(bad.output()).toBe('')
  })

  it('rejects a bad speed as a usage error', async () => {
    const { io } = testIo()
    const program = new Command('clusterdeck').exitOverride().configureOutput({ writeErr: () => {} })
    registerVirtualBoardCommand(program, io)
    await expect(
      program.parseAsync(['virtual-board', '--write-speed', 'fast'], { from: 'user' }),
    ).rejects.toThrow(/expected a speed in MB\/s/)
  })
})
