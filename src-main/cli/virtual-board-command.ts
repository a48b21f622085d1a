// `clusterdeck virtual-board`: runs a simulated Turing Pi BMC on 127.0.0.1 until SIGINT/SIGTERM, so
// the app, scripts and tests can be tried without hardware.
import type { Command } from 'commander'
import { InvalidArgumentError, Option } from 'commander'
import type { VirtualFirmware } from '../virtual-board/firmware-profiles.ts'
import { backendsFromEnv, etcdVariable, kubeconfigVariable } from '../virtual-talos/loopback-backends.ts'
import type { VirtualTalosBackends } from '../virtual-talos/virtual-talos-backends.ts'
import type { CliIo } from './cli-io.ts'

/** The measured CM4 eMMC write speed (reference §9); verification reads back at about the same. */
const defaultSpeedMBps = 5

interface VirtualBoardCommandOptions {
  firmware: VirtualFirmware
  port: number
  writeSpeed: number
  verifySpeed?: number
}

export function registerVirtualBoardCommand(program: Command, io: CliIo): void {
  program
    .command('virtual-board')
    .description('run a simulated Turing Pi BMC on this machine until interrupted (Ctrl+C)')
    .addOption(
      new Option('--firmware <version>', 'BMC firmware to imitate').choices(['2.1', '2.0.5']).default('2.1'),
    )
    .option('--port <port>', 'HTTPS port on 127.0.0.1 (0 picks a free one)', parsePort, 0)
    .option(
      '--write-speed <MBps>',
      'simulated eMMC write speed in MB/s (0 = unlimited)',
      parseSpeed,
      defaultSpeedMBps,
    )
    .option(
      '--verify-speed <MBps>',
      'simulated read-back speed in MB/s (default: the write speed)',
      parseSpeed,
    )
    .action(async (options: VirtualBoardCommandOptions) => {
      const verifySpeed = options.verifySpeed ?? options.writeSpeed
      // Loaded only for this command: the simulation is not needed by the others.
      const { startVirtualBoard } = await import('../virtual-board/virtual-board-server.ts')
      const talosBackends = await backendsFromEnv(io.env)
      const board = await startVirtualBoard({
        firmware: options.firmware,
        talosBackends,
        port: options.port,
        writeSpeedBytesPerSecond: options.writeSpeed * 1_000_000,
        verifySpeedBytesPerSecond: verifySpeed * 1_000_000,
      })
      const speed = (mbps: number) => (mbps === 0 ? 'unlimited' : `${mbps} MB/s`)
      io.stdout.write(
        [
          `Virtual Turing Pi BMC (firmware ${board.firmware}) is running.`,
          `  URL:          ${board.url}`,
          `  User:         ${board.credentials.username}`,
          `  Password:     ${board.credentials.password}`,
          `  Certificate:  self-signed, SHA-256 fingerprint ${board.fingerprint256}`,
          `  eMMC speed:   write ${speed(options.writeSpeed)}, verify ${speed(verifySpeed)}`,
          `  Talos:        ${talosBackendsLine(talosBackends)}`,
          `  K3s:          ${k3sBackendsLine(talosBackends)}`,
          'Stop it with Ctrl+C.',
          '',
        ].join('\n'),
      )
      const signal = await untilSignal()
      io.stdout.write(`Received ${signal}; stopping the virtual board.\n`)
      await board.close()
    })
}

function talosBackendsLine(backends: VirtualTalosBackends | undefined): string {
  const behind = [backends?.kubernetes && 'Kubernetes API', backends?.etcd && 'etcd'].filter(Boolean)
  return behind.length > 0
    ? `control planes backed by the loopback cluster's ${behind.join(' and ')}`
    : `no Kubernetes API or etcd behind control planes (set ${kubeconfigVariable} and ${etcdVariable}, docs/virtual-board.md)`
}

/** Virtual Armbian nodes need only the Kubernetes API: their K3s registers its Nodes there. */
function k3sBackendsLine(backends: VirtualTalosBackends | undefined): string {
  return backends?.kubernetes
    ? "servers and agents on Armbian nodes register in the loopback cluster's Kubernetes API"
    : `no Kubernetes API behind Armbian nodes' K3s (set ${kubeconfigVariable}, docs/k3s-bootstrap.md)`
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve(signal)
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}

function parsePort(value: string): number {
  const port = Number(value)
  if (!/^\d+$/.test(value) || port > 65_535)
    throw new InvalidArgumentError('expected a port number from 0 to 65535')
  return port
}

function parseSpeed(value: string): number {
  const speed = Number(value)
  if (value.trim() === '' || !Number.isFinite(speed) || speed < 0) {
    throw new InvalidArgumentError('expected a speed in MB/s, e.g. 5 or 0.5 (0 = unlimited)')
  }
  return speed
}
