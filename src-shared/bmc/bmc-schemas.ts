// What the app knows about a board's BMC, in the app's own terms (nodes 1–4, booleans, seconds),
// whatever firmware produced it. The BMC client translates the wire format into these.
import { z } from 'zod'
import { nodeNumberSchema } from './node-number.ts'

export const firmwareSchema = z.object({
  /** Firmware release, e.g. "2.1.0" or "2.0.5". */
  release: z.string(),
  /** bmcd daemon version, e.g. "2.3.4". */
  daemon: z.string(),
  boardModel: z.string().optional(),
  boardRevision: z.string().optional(),
  hostname: z.string().optional(),
  buildTime: z.string().optional(),
})
export type Firmware = z.infer<typeof firmwareSchema>

export const capabilitiesSchema = z.object({
  /** The BMC decompresses .xz itself (FW 2.1+). */
  xz: z.boolean(),
  /** skip_crc and sha256 flash options (FW 2.1+); 2.0.x always verifies. */
  skipVerify: z.boolean(),
  sha256: z.boolean(),
  nodeInfo: z.boolean(),
  cooling: z.boolean(),
  /** 2.0.x drains the UART buffer on read; 2.1 returns the whole ring buffer every time. */
  uartDrainsOnRead: z.boolean(),
  /** The serial console WebSocket (FW 2.1+): raw bytes both ways, so keys like Ctrl-C reach the node. */
  serialSocket: z.boolean(),
})
export type Capabilities = z.infer<typeof capabilitiesSchema>

export const usbModeSchema = z.enum(['host', 'device', 'flash'])
export type UsbMode = z.infer<typeof usbModeSchema>

export const usbStateSchema = z.object({
  mode: usbModeSchema,
  node: nodeNumberSchema,
  /** Where the node's USB goes: the BMC or the board's USB-A/OTG port. */
  route: z.enum(['bmc', 'usb-a']),
  busType: z.enum(['usb-hub', 'single-bus']).optional(),
})
export type UsbState = z.infer<typeof usbStateSchema>

export const nodeStatusSchema = z.object({
  node: nodeNumberSchema,
  /** The BMC's persisted desired power state; null when it could not say. */
  poweredOn: z.boolean().nullable(),
  name: z.string().nullable(),
  moduleName: z.string().nullable(),
  uptimeSeconds: z.number().nullable(),
})
export type NodeStatus = z.infer<typeof nodeStatusSchema>

export const flashStateSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('ready') }),
  z.object({
    state: z.literal('transferring'),
    id: z.number(),
    processName: z.string(),
    /** The declared length (compressed size for .xz). */
    size: z.number(),
    bytesWritten: z.number(),
    cancelled: z.boolean(),
    /** The node the process name names, when it is a node flash. */
    node: nodeNumberSchema.nullable(),
  }),
  z.object({ state: z.literal('done'), elapsedSeconds: z.number(), size: z.number() }),
  z.object({ state: z.literal('error'), message: z.string() }),
])
export type FlashState = z.infer<typeof flashStateSchema>

export const bmcInfoSchema = z.object({
  firmware: firmwareSchema,
  capabilities: capabilitiesSchema,
  addresses: z.array(z.object({ device: z.string(), ip: z.string(), mac: z.string() })),
  storage: z.array(z.object({ name: z.string(), totalBytes: z.number(), freeBytes: z.number() })),
  sdCard: z.object({ totalBytes: z.number(), usedBytes: z.number(), freeBytes: z.number() }).nullable(),
  cooling: z.array(z.object({ device: z.string(), speed: z.number(), maxSpeed: z.number() })),
})
export type BmcInfo = z.infer<typeof bmcInfoSchema>
