// The generic `GET /api/bmc?opt=get|set&type=…` endpoints (bmcd's `api_entry`) and the JSON
// `POST …type=node_info`. Types that FW 2.0.5 lacks answer as unknown types there.
import type { BoardState, UsbConfig, UsbMode } from './board-state.ts'
import { nodeCount } from './board-state.ts'
import type { FirmwareProfile } from './firmware-profiles.ts'
import type { Reply } from './http-reply.ts'
import { emptyReply, enveloped, okEnvelope, plainText, uartEnvelope } from './http-reply.ts'
import type { QueryParams } from './request-params.ts'
import { nodeParam } from './request-params.ts'
import { decodeUart, isUartEncoding, uartEncodings } from './uart-buffer.ts'

export interface LegacyApiContext {
  board: BoardState
  profile: FirmwareProfile
  network: { ip: string; mac: string }
  /** Restarts bmcd (`reload`) or the whole BMC (`reboot`) once the reply has gone out. */
  restart(kind: 'reboot' | 'reload'): void
}

/** `'drop-connection'` imitates bmcd panicking on USB modes 3 and 7. */
export type LegacyApiResult = Reply | 'drop-connection'

const badRequest = (message: string) => enveloped(400, message)
const failed = (context: string, cause: string) => enveloped(500, `Failed to ${context}: ${cause}`)

const sdCard = { total: 31_914_983_424, free: 29_843_226_624 }
const bmcStorage = { total: 239_075_328, free: 201_326_592 }

export function handleApiEntry(ctx: LegacyApiContext, query: QueryParams): LegacyApiResult {
  const opt = query.get('opt')
  if (opt !== 'get' && opt !== 'set') return badRequest('Missing `opt` parameter')
  const type = query.get('type')
  if (type === undefined) return badRequest('Missing `type` parameter')
  const handler = (opt === 'set' ? setters : getters)[type]
  if (!handler || (extraTypes.has(type) && !ctx.profile.extraTypes)) {
    return badRequest(`Invalid \`type\` parameter ${type}`)
  }
  return handler(ctx, query)
}

type Handler = (ctx: LegacyApiContext, query: QueryParams) => LegacyApiResult

/** Types that arrived with bmcd 2.3 (FW 2.1). */
const extraTypes = new Set(['usb_node1', 'node_info', 'cooling'])

/** Runs `action` on the `node` parameter, or answers the parameter error. */
function withNode(query: QueryParams, action: (node: number) => LegacyApiResult): LegacyApiResult {
  const node = nodeParam(query)
  return typeof node === 'number' ? action(node) : badRequest(node.error)
}

const getters: Record<string, Handler> = {
  power: ({ board }) => {
    const states: Record<string, string> = {}
    for (let node = 0; node < nodeCount; node++)
      states[`node${node + 1}`] = board.desiredPower(node) ? '1' : '0'
    return enveloped(200, [states])
  },
  usb: ({ board, profile }) => {
    const usb = board.usb
    const route = usb.route === 'Bmc' ? 'Bmc' : profile.alternativeRouteName
    const entry: Record<string, string> = { mode: usb.mode, node: `Node ${usb.node + 1}`, route }
    if (profile.extraTypes) entry.bus_type = profile.busType
    return enveloped(200, [entry])
  },
  usb_node1: ({ board }) => enveloped(200, board.node1AlternativePort),
  info: ({ network }) =>
    enveloped(200, {
      ip: [{ device: 'br0', ip: network.ip, mac: network.mac }],
      storage: [
        { name: 'BMC', total_bytes: bmcStorage.total, bytes_free: bmcStorage.free },
        { name: 'SD card', total_bytes: sdCard.total, bytes_free: sdCard.free },
      ],
    }),
  about: ({ profile }) => enveloped(200, profile.about),
  other: (ctx) => enveloped(200, systemInformation(ctx)),
  sdcard: () => enveloped(200, [{ total: sdCard.total, use: sdCard.total - sdCard.free, free: sdCard.free }]),
  node_info: ({ board }) =>
    enveloped(
      200,
      Array.from({ length: nodeCount }, (_, node) => {
        const info = board.nodeInfo(node)
        return {
          name: info.name,
          module_name: info.module_name,
          power_on_time: board.powerOnTime(node),
          uart_baud: info.uart_baud,
        }
      }),
    ),
  nodeinfo: () => enveloped(200, [{ node1: 0, node2: 0, node3: 0, node4: 0 }]),
  cooling: ({ board }) => enveloped(200, board.cooling),
  uart: ({ board, profile }, query) =>
    withNode(query, (node) => {
      const encoding = query.get('encoding') ?? 'utf8'
      if (!isUartEncoding(encoding)) {
        return badRequest(`Invalid \`encoding\` parameter. Expected: ${uartEncodings.join(', ')}`)
      }
      return uartEnvelope(decodeUart(board.uart(node).read({ drain: profile.uartReadDrains }), encoding))
    }),
}

const setters: Record<string, Handler> = {
  power: ({ board }, query) => {
    const requested: Array<[number, boolean]> = []
    for (let node = 0; node < nodeCount; node++) {
      const name = `node${node + 1}`
      const value = query.get(name)
      if (value === undefined) continue
      if (value !== '0' && value !== '1')
        return badRequest(`Invalid value \`${value}\` for parameter \`${name}\``)
      requested.push([node, value === '1'])
    }
    if (requested.length === 0) return failed('set power state', 'Condition failed: `mask != 0`')
    for (const [node, on] of requested) board.setPower(node, on)
    return okEnvelope
  },
  reset: ({ board }, query) =>
    withNode(query, (node) => {
      board.resetNode(node)
      return okEnvelope
    }),
  usb: (ctx, query) => withNode(query, (node) => setUsbMode(ctx, node, query)),
  usb_node1: ({ board }, query) => {
    board.node1AlternativePort = query.has('alternative_port')
    return okEnvelope
  },
  usb_boot: ({ board }, query) =>
    withNode(query, (node) => {
      board.setUsbBoot(node)
      return okEnvelope
    }),
  clear_usb_boot: ({ board }) => {
    board.clearAllUsbBoot()
    return okEnvelope
  },
  node_to_msd: ({ board }, query) =>
    withNode(query, (node) => {
      // The node restarts into USB boot and its eMMC shows up on the BMC; undone by clear_usb_boot + reset.
      board.setUsbBoot(node)
      board.resetNode(node)
      return okEnvelope
    }),
  network: () => okEnvelope,
  reboot: (ctx) => {
    // `fel` (FEL recovery) is accepted and treated as a normal reboot: a board in FEL never returns.
    ctx.restart('reboot')
    return okEnvelope
  },
  reload: (ctx) => {
    ctx.restart('reload')
    return okEnvelope
  },
  cooling: ({ board }, query) => {
    const device = query.get('device')
    if (device === undefined) return badRequest('Missing `device` parameter')
    const speedText = query.get('speed')
    if (speedText === undefined) return badRequest('Missing `speed` parameter')
    if (!/^\d+$/.test(speedText)) return badRequest('`speed` parameter is not a number')
    const problem = board.setCooling(device, Number(speedText))
    return problem === undefined ? okEnvelope : failed('set Cooling state', problem)
  },
  uart: ({ board }, query) =>
    withNode(query, (node) => {
      const cmd = query.get('cmd')
      if (cmd === undefined) return badRequest('Missing `cmd` parameter')
      board.writeUart(node, cmd)
      return okEnvelope
    }),
  sdcard: () => enveloped(501, 'microSD card formatting is not implemented'),
  nodeinfo: () => enveloped(501, 'Method type `set` on parameter `nodeinfo` is deprecated'),
}

const usbModes: Record<number, UsbMode> = { 0: 'Host', 1: 'Device', 2: 'Flash' }

/** Mode bits: the low two select host/device/flash, bit 2 routes to the BMC. */
function setUsbMode({ board, profile }: LegacyApiContext, node: number, query: QueryParams): LegacyApiResult {
  const modeText = query.get('mode')
  if (modeText === undefined) return badRequest('Missing `mode` parameter')
  if (!/^[+-]?\d+$/.test(modeText) || Math.abs(Number(modeText)) > 2 ** 31) {
    return badRequest('Parameter `mode` is not a number')
  }
  const modeNumber = Number(modeText)
  const mode = usbModes[modeNumber & 0b11]
  if (!mode) return 'drop-connection'
  if (mode === 'Host' && profile.rejectsUsbHost) {
    return failed(
      'set USB mode',
      'Selecting one of the nodes as USB Host role is not supported by the current hardware',
    )
  }
  const config: UsbConfig = { mode, node, route: (modeNumber >> 2) & 1 ? 'Bmc' : 'AlternativePort' }
  board.setUsb(config)
  return okEnvelope
}

/** `type=other` and the unauthenticated info endpoint. FW 2.1 reads eth0, which is missing. */
export function systemInformation({ profile, network }: LegacyApiContext): unknown {
  const { api, version, buildtime, buildroot, build_version } = profile.other
  const known = !profile.extraTypes
  return [
    {
      api,
      version,
      buildtime,
      ip: known ? network.ip : 'Unknown',
      mac: known ? network.mac : 'Unknown',
      buildroot,
      build_version,
    },
  ]
}

const nodeInfoKeys = ['Node1', 'Node2', 'Node3', 'Node4']

/** `POST /api/bmc?opt=set&type=node_info` (FW 2.1): errors are actix's plain-text JSON errors. */
export function handleSetNodeInfo(board: BoardState, contentType: string | undefined, body: Buffer): Reply {
  if (!contentType || !/^application\/json\b/i.test(contentType)) return plainText(400, 'Content type error')
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch (error) {
    return plainText(400, `Json deserialize error: ${(error as Error).message}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return plainText(400, 'Json deserialize error: invalid type: expected a map')
  }
  const updates: Array<[number, Record<string, unknown>]> = []
  for (const [key, value] of Object.entries(parsed)) {
    const node = nodeInfoKeys.indexOf(key)
    if (node < 0) {
      return plainText(
        400,
        `Json deserialize error: unknown variant \`${key}\`, expected one of \`Node1\`, \`Node2\`, \`Node3\`, \`Node4\``,
      )
    }
    const problem = nodeInfoProblem(value)
    if (problem) return plainText(400, `Json deserialize error: ${problem}`)
    updates.push([node, value as Record<string, unknown>])
  }
  for (const [node, value] of updates) {
    const update: Record<string, unknown> = {}
    // power_on_time is accepted and ignored, as on the device.
    for (const field of ['name', 'module_name', 'uart_baud']) if (field in value) update[field] = value[field]
    board.updateNodeInfo(node, update)
  }
  return emptyReply(200)
}

function nodeInfoProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'invalid type: expected struct NodeInfo'
  const record = value as Record<string, unknown>
  for (const field of ['name', 'module_name']) {
    if (field in record && record[field] !== null && typeof record[field] !== 'string') {
      return `invalid type for \`${field}\`: expected a string`
    }
  }
  const baud = record.uart_baud
  if (
    baud !== undefined &&
    baud !== null &&
    !(typeof baud === 'number' && Number.isInteger(baud) && baud >= 0)
  ) {
    return 'invalid type for `uart_baud`: expected u32'
  }
  return undefined
}
