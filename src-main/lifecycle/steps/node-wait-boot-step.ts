// Node imaging, part two: wait until the freshly flashed node has booted — its serial console shows
// the end of a boot (a login prompt, Talos waiting for its configuration) or it answers on its
// address (Talos apid on 50000, SSH on 22) — or fail after the profile's timeout, saying what was
// seen.
import { connect } from 'node:net'
import { AppError } from '../../../src-shared/contract/app-error.ts'
import { stepIds } from '../../../src-shared/lifecycle/step-ids.ts'
import type { BmcService } from '../../bmc/bmc-service.ts'
import type { BoardService } from '../../boards/board-service.ts'
import type { StepExecutor } from '../step-executor.ts'
import { processToken } from './node-flash-step.ts'

const bootMarkers: Record<'talos' | 'k3s', RegExp[]> = {
  talos: [/\[talos\].*(maintenance mode|apply configuration|machine is reachable|boot sequence: done)/i],
  k3s: [/\blogin:\s*$/m, /^Welcome to Armbian/m],
}
const servicePorts = { talos: 50000, k3s: 22 } as const

export interface NodeWaitBootDependencies {
  boards: Pick<BoardService, 'get'>
  bmc: Pick<BmcService, 'readUart'>
  /** How often to look; tests make it short. */
  pollMs?: number
  /** Whether something listens on host:port (replaceable in tests). */
  answers?: (host: string, port: number, timeoutMs: number) => Promise<boolean>
}

export function nodeWaitBootStep(deps: NodeWaitBootDependencies): StepExecutor<'node.wait-boot'> {
  const pollMs = deps.pollMs ?? 2000
  const answers = deps.answers ?? tcpAnswers
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
      // A board on loopback is the virtual board: its nodes' addresses are fiction, never probe them.
      const probeNetwork = !['127.0.0.1', 'localhost', '[::1]'].includes(new URL(board.address).hostname)
      let console = ''
      const started = Date.now()
      context.log(
        `Waiting for ${step.node} to boot (serial console of ${board.name} slot ${node}, and ${address}:${port})`,
      )

      while (!signal.aborted) {
        const read = await deps.bmc.readUart({ boardId: board.id, node, since })
        since = read.offset
        console = (console + read.text).slice(-64 * 1024)
        const marker = bootMarkers[distribution].map((pattern) => pattern.exec(console)).find(Boolean)
        if (marker) {
          return {
            message: `${step.node} booted: its console shows "${marker[0].trim()}" after ${seconds(started)} s`,
          }
        }
        if (probeNetwork && (await answers(address, port, Math.min(1500, pollMs)))) {
          return { message: `${step.node} booted: ${address}:${port} answers after ${seconds(started)} s` }
        }
        if (Date.now() - started > timeoutMs) {
          const lastLine = console.trim().split('\n').at(-1)?.trim()
          throw new AppError(
            'timeout',
            `${step.node} did not boot within ${timeoutMs / 1000} s: ${
              lastLine
                ? `its console stopped at "${lastLine.slice(0, 120)}"`
                : 'its serial console stayed silent'
            }${probeNetwork ? ` and nothing answers on ${address}:${port}` : ''}.`,
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

function tcpAnswers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.once('connect', () => done(true))
    socket.once('timeout', () => done(false))
    socket.once('error', () => done(false))
  })
}
