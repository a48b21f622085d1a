// The board-control requests (bmc.*): live state, power, USB, the serial consoles and BMC reboot.
import type { NodeNumber } from '../../src-shared/bmc/node-number.ts'
import { nodeNumbers } from '../../src-shared/bmc/node-number.ts'
import type { RequestInput, RequestOutput } from '../../src-shared/contract/index.ts'
import type { BmcConnector } from './bmc-connector.ts'
import { UartTranscript } from './uart-transcript.ts'

/** Reads closer together than this are served from the transcript, sparing the BMC. */
const uartPollIntervalMs = 500

export class BmcService {
  private readonly connector: Pick<BmcConnector, 'client'>
  private readonly transcripts = new Map<
    string,
    { transcript: UartTranscript; readAt: number; reading?: Promise<void> }
  >()

  constructor(connector: Pick<BmcConnector, 'client'>) {
    this.connector = connector
  }

  async status({ boardId }: RequestInput<'bmc.status'>): Promise<RequestOutput<'bmc.status'>> {
    const client = await this.connector.client(boardId)
    const [nodes, usb, flash] = await Promise.all([client.nodes(), client.usb(), client.flashState()])
    return { nodes, usb, flash }
  }

  async info({ boardId }: RequestInput<'bmc.info'>): Promise<RequestOutput<'bmc.info'>> {
    return (await this.connector.client(boardId)).info()
  }

  async power({ boardId, target, action }: RequestInput<'bmc.power'>): Promise<Record<string, never>> {
    const client = await this.connector.client(boardId)
    const nodes: readonly NodeNumber[] = target === 'all' ? nodeNumbers : [target]
    if (action === 'reset') {
      // bmcd power-cycles one node per call, each taking about a second.
      for (const node of nodes) await client.reset(node)
    } else {
      await client.setPower(Object.fromEntries(nodes.map((node) => [node, action === 'on'])))
    }
    return {}
  }

  async usb({ boardId, node, mode, route }: RequestInput<'bmc.usb'>): Promise<Record<string, never>> {
    await (await this.connector.client(boardId)).setUsb(node, mode, route)
    return {}
  }

  async readUart({
    boardId,
    node,
    since,
  }: RequestInput<'bmc.uart.read'>): Promise<RequestOutput<'bmc.uart.read'>> {
    const key = `${boardId}/${node}`
    let entry = this.transcripts.get(key)
    if (!entry) {
      entry = { transcript: new UartTranscript(), readAt: 0 }
      this.transcripts.set(key, entry)
    }
    if (Date.now() - entry.readAt >= uartPollIntervalMs) {
      // One BMC read at a time per node, shared by every client asking meanwhile.
      entry.reading ??= this.pollUart(boardId, node, entry).finally(() => {
        if (entry) entry.reading = undefined
      })
      await entry.reading
    }
    return entry.transcript.readFrom(since ?? 0)
  }

  async sendUart({ boardId, node, line }: RequestInput<'bmc.uart.send'>): Promise<Record<string, never>> {
    await (await this.connector.client(boardId)).sendUart(node, line)
    return {}
  }

  async reboot({ boardId }: RequestInput<'bmc.reboot'>): Promise<Record<string, never>> {
    await (await this.connector.client(boardId)).reboot()
    return {}
  }

  private async pollUart(
    boardId: string,
    node: NodeNumber,
    entry: { transcript: UartTranscript; readAt: number },
  ) {
    const client = await this.connector.client(boardId)
    const [{ capabilities }, text] = await Promise.all([client.firmware(), client.uart(node)])
    entry.transcript.record(text, capabilities.uartDrainsOnRead)
    entry.readAt = Date.now()
  }
}
