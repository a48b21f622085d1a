// Interactive serial consoles (bmc.serial.*). On FW 2.1 the core holds one BMC serial WebSocket per
// node, shared by every client that has the console open: what the node prints goes out as
// bmc.serial.output events, and keystrokes go to the node raw. A client keeps the socket by
// attaching again every few seconds while its console is open; a socket nobody renewed for
// `leaseMs` is closed. FW 2.0.5 has no such socket: clients then read the transcript (bmc.uart.read)
// and send whole lines (bmc.uart.send), which the BMC ends with CR LF.
import type WebSocket from 'ws'
import type { NodeNumber } from '../../src-shared/bmc/node-number.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { RequestInput, RequestOutput } from '../../src-shared/contract/index.ts'
import type { EventBus } from '../core/event-bus.ts'
import type { BmcConnector } from './bmc-connector.ts'
import { openSerialSocket } from './serial-socket.ts'

interface Session {
  socket?: WebSocket
  opening?: Promise<WebSocket>
  renewedAt: number
}

export interface SerialConsolesOptions {
  connector: Pick<BmcConnector, 'client'>
  events: EventBus
  leaseMs?: number
  timeoutMs?: number
}

export class SerialConsoles {
  private readonly options: Required<SerialConsolesOptions>
  private readonly sessions = new Map<string, Session>()
  private readonly sweeper: NodeJS.Timeout

  constructor(options: SerialConsolesOptions) {
    this.options = { ...options, leaseMs: options.leaseMs ?? 30_000, timeoutMs: options.timeoutMs ?? 15_000 }
    this.sweeper = setInterval(() => this.sweep(), Math.min(5_000, this.options.leaseMs / 2))
    this.sweeper.unref()
  }

  async attach({
    boardId,
    node,
  }: RequestInput<'bmc.serial.attach'>): Promise<RequestOutput<'bmc.serial.attach'>> {
    const client = await this.options.connector.client(boardId)
    const { capabilities } = await client.firmware()
    if (!capabilities.serialSocket) {
      return {
        mode: 'lines',
        reason:
          'This BMC firmware (before 2.1) has no serial WebSocket: lines are sent with CR LF added, and Ctrl-C or other single keys cannot reach the node.',
      }
    }
    const key = `${boardId}/${node}`
    const existing = this.sessions.get(key)
    if (existing) {
      existing.renewedAt = Date.now()
      if (existing.socket || existing.opening) return { mode: 'socket', reason: null }
    }
    const session: Session = existing ?? { renewedAt: Date.now() }
    this.sessions.set(key, session)
    session.opening = openSerialSocket({
      connection: client.connection,
      node,
      timeoutMs: this.options.timeoutMs,
    })
    try {
      session.socket = await session.opening
    } catch (error) {
      this.sessions.delete(key)
      if (error instanceof AppError && error.code === 'bmc_error')
        return { mode: 'lines', reason: error.message }
      throw error
    } finally {
      session.opening = undefined
    }
    this.follow(key, boardId, node, session.socket)
    return { mode: 'socket', reason: null }
  }

  async send({ boardId, node, data }: RequestInput<'bmc.serial.send'>): Promise<Record<string, never>> {
    const session = this.sessions.get(`${boardId}/${node}`)
    const socket = session?.socket ?? (await session?.opening)
    if (!socket || socket.readyState !== socket.OPEN) {
      throw new AppError(
        'bmc_error',
        `The serial console of node ${node} is not connected.`,
        'Close the console and open it again.',
      )
    }
    await new Promise<void>((resolve, reject) =>
      socket.send(Buffer.from(data, 'utf8'), { binary: true }, (error) =>
        error
          ? reject(new AppError('bmc_error', `Sending to node ${node} failed: ${error.message}`))
          : resolve(),
      ),
    )
    return {}
  }

  close(): void {
    clearInterval(this.sweeper)
    for (const session of this.sessions.values()) session.socket?.close()
    this.sessions.clear()
  }

  private follow(key: string, boardId: string, node: NodeNumber, socket: WebSocket) {
    // Raw bytes may split a UTF-8 sequence between frames; a streaming decoder joins them.
    const decoder = new TextDecoder('utf-8')
    socket.on('message', (data: Buffer) => {
      const text = decoder.decode(data, { stream: true })
      if (text) this.options.events.emit('bmc.serial.output', { boardId, node, text })
    })
    socket.on('error', () => undefined) // 'close' follows and says it
    socket.on('close', () => {
      if (this.sessions.get(key)?.socket === socket) this.sessions.delete(key)
      this.options.events.emit('bmc.serial.closed', { boardId, node })
    })
  }

  private sweep() {
    const now = Date.now()
    for (const [key, session] of this.sessions) {
      if (session.socket && now - session.renewedAt > this.options.leaseMs) {
        this.sessions.delete(key)
        session.socket.close()
      }
    }
  }
}
