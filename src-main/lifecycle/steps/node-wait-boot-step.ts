// Node imaging, part two: wait until the freshly flashed node has booted, or fail after the
// profile's timeout, saying what was seen. An Armbian node on a real board has booted when its
// serial console shows a login prompt or SSH answers on its address; it is then reached at that
// address on port 22 (the user's ~/.ssh/config may still change the port). A virtual Armbian node
// has booted when its console names where its SSH answers (src-shared/k3s/ssh-endpoint.ts) and
// that port answers; the output `{ sshAddress, sshPort }` is where the K3s steps reach the node. A
// Talos node has booted when its API answers (a TLS handshake on port 50000) — in maintenance
// mode, at the address its console says it is reachable at, or the profile's address; console text
// alone is not enough. That address is the step's output (`apiAddress`).
import { connect } from 'node:net'
import { connect as connectTls } from 'node:tls'
import { AppError } from '../../../src-shared/contract/app-error.ts'
import { parseVirtualSshLine } from '../../../src-shared/k3s/ssh-endpoint.ts'
import { stepIds } from '../../../src-shared/lifecycle/step-ids.ts'
import type { BmcService } from '../../bmc/bmc-service.ts'
import type { BoardService } from '../../boards/board-service.ts'
import { boardOnLoopback, consoleApiAddresses } from '../../talos/talos-addresses.ts'
import type { StepExecutor } from '../step-executor.ts'
import { processToken } from './node-flash-step.ts'

const armbianBootMarkers = [/\blogin:\s*$/m, /^Welcome to Armbian/m]
const servicePorts = { talos: 50000, k3s: 22 } as const

export interface NodeWaitBootDependencies {
  boards: Pick<BoardService, 'get'>
  bmc: Pick<BmcService, 'readUart'>
  /** How often to look; tests make it short. */
  pollMs?: number
  /** Whether a server answers on host:port — with a TLS handshake when `tls` (replaceable in tests). */
  answers?: (host: string, port: number, timeoutMs: number, tls: boolean) => Promise<boolean>
}

export function nodeWaitBootStep(deps: NodeWaitBootDependencies): StepExecutor<'node.wait-boot'> {
  const pollMs = deps.pollMs ?? 2000
  const answers = deps.answers ?? serverAnswers
  return {
    async run(context) {
      const { step, signal } = context
      const { slot: node, address, distribution, timeoutSeconds } = step.params
      const board = await deps.boards.get(step.params.board)
      const port = servicePorts[distribution]
      const timeoutMs = timeoutSeconds * 1000
      const flashed = context.outputOf(stepIds.flash(step.node!)) as
        { uartOffset?: number; processToken?: string } | undefined
      // Only text printed since the flash counts; an offset from another process means nothing here.
      let since = flashed?.processToken === processToken ? (flashed.uartOffset ?? 0) : 0
      // A board on loopback is the virtual board: its nodes' profile addresses are fiction, never probe them.
      const onLoopback = boardOnLoopback(board.address)
      const talos = distribution === 'talos'
      let console = ''
      let probed: string[] = []
      const started = Date.now()
      context.log(
        `Waiting for ${step.node} to boot (serial console of ${board.name} slot ${node}${onLoopback ? '' : `, and ${address}:${port}`})`,
      )

      while (!signal.aborted) {
        const read = await deps.bmc.readUart({ boardId: board.id, node, since })
        since = read.offset
        console = (console + read.text).slice(-64 * 1024)
        if (talos) {
          probed = [...new Set([...consoleApiAddresses(console), ...(onLoopback ? [] : [address])])]
          for (const candidate of probed) {
            if (await answers(candidate, port, Math.min(1500, pollMs), true)) {
              return {
                message: `${step.node} booted: its Talos API answers on ${candidate}:${port} after ${seconds(started)} s`,
                output: { apiAddress: candidate },
              }
            }
          }
        } else if (onLoopback) {
          const ssh = parseVirtualSshLine(console)
          if (ssh && (await answers(ssh.host, ssh.port, Math.min(1500, pollMs), false))) {
            return {
              message: `${step.node} booted: its SSH answers on ${ssh.host}:${ssh.port} after ${seconds(started)} s`,
              output: { sshAddress: ssh.host, sshPort: ssh.port },
            }
          }
        } else {
          const output = { sshAddress: address, sshPort: port }
          const marker = armbianBootMarkers.map((pattern) => pattern.exec(console)).find(Boolean)
          if (marker) {
            return {
              message: `${step.node} booted: its console shows "${marker[0].trim()}" after ${seconds(started)} s`,
              output,
            }
          }
          if (await answers(address, port, Math.min(1500, pollMs), false)) {
            return {
              message: `${step.node} booted: ${address}:${port} answers after ${seconds(started)} s`,
              output,
            }
          }
        }
        if (Date.now() - started > timeoutMs) {
          const lastLine = console.trim().split('\n').at(-1)?.trim()
          const seen = lastLine
            ? `its console stopped at "${lastLine.slice(0, 120)}"`
            : 'its serial console stayed silent'
          if (talos) {
            throw new AppError(
              'timeout',
              `${step.node} did not reach Talos maintenance mode within ${timeoutMs / 1000} s: ${seen}, and ${
                probed.length > 0
                  ? `no Talos API answers on ${probed.map((a) => `${a}:${port}`).join(', ')}`
                  : 'it never printed the address it is reachable at'
              }.`,
              `Open the node's console on the board view: a node that does not reach maintenance mode did not boot the Talos image (flash it again) or has no network${onLoopback ? '' : ` (check that ${address} is the address it gets)`}.`,
            )
          }
          if (onLoopback) {
            const ssh = parseVirtualSshLine(console)
            throw new AppError(
              'timeout',
              `${step.node} did not boot within ${timeoutMs / 1000} s: ${seen}, and ${
                ssh
                  ? `nothing answers SSH on ${ssh.host}:${ssh.port}`
                  : 'it never printed where its SSH answers'
              }.`,
              'Open the node’s console on the board view: a virtual node that does not get there did not boot the Armbian image (flash it again).',
            )
          }
          throw new AppError(
            'timeout',
            `${step.node} did not boot within ${timeoutMs / 1000} s: ${seen} and nothing answers on ${address}:${port}.`,
            `Open the node's console on the board view; check the image and that ${address} is the address the node gets (DHCP reservation or static configuration).`,
          )
        }
        await sleep(pollMs, signal)
      }
      throw new AppError('cancelled', `Stopped waiting for ${step.node} to boot.`)
    },
  }
}

function seconds(since: number): number {
  return Math.round((Date.now() - since) / 1000)
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
  })
}

function serverAnswers(host: string, port: number, timeoutMs: number, tls: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    // Talos serves a certificate no one can check yet in maintenance mode: only the handshake counts.
    const socket = tls
      ? connectTls({ host, port, timeout: timeoutMs, rejectUnauthorized: false, ALPNProtocols: ['h2'] })
      : connect({ host, port, timeout: timeoutMs })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.once(tls ? 'secureConnect' : 'connect', () => done(true))
    socket.once('timeout', () => done(false))
    socket.once('error', () => done(false))
  })
}
