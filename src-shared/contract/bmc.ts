import { z } from 'zod'
import {
  bmcInfoSchema,
  flashStateSchema,
  nodeStatusSchema,
  usbModeSchema,
  usbStateSchema,
} from '../bmc/bmc-schemas.ts'
import { nodeNumberSchema } from '../bmc/node-number.ts'
import { boardIdSchema } from '../boards/board-schemas.ts'
import { defineRequest } from './define.ts'

const onBoard = z.object({ boardId: boardIdSchema })

export const bmcRequests = {
  'bmc.status': defineRequest({
    description:
      "The board's live state: each node's power, module and uptime, the USB mode and the transfer slot.",
    input: onBoard,
    output: z.object({ nodes: z.array(nodeStatusSchema), usb: usbStateSchema, flash: flashStateSchema }),
  }),
  'bmc.info': defineRequest({
    description: 'Firmware, capabilities, addresses, storage, SD card and cooling of the BMC.',
    input: onBoard,
    output: bmcInfoSchema,
  }),
  'bmc.power': defineRequest({
    description: 'Powers one node or all nodes on or off, or power-cycles one node.',
    input: onBoard.extend({
      target: z.union([nodeNumberSchema, z.literal('all')]),
      action: z.enum(['on', 'off', 'reset']),
    }),
    output: z.object({}),
  }),
  'bmc.usb': defineRequest({
    description: "Sets a node's USB role and where its USB is routed.",
    input: onBoard.extend({ node: nodeNumberSchema, mode: usbModeSchema, route: usbStateSchema.shape.route }),
    output: z.object({}),
  }),
  'bmc.uart.read': defineRequest({
    description:
      "A node's serial console text after `since` (an offset into the transcript Clusterdeck keeps), so every client sees only what is new.",
    input: onBoard.extend({ node: nodeNumberSchema, since: z.number().int().nonnegative().default(0) }),
    output: z.object({ text: z.string(), offset: z.number(), gap: z.boolean() }),
  }),
  'bmc.uart.send': defineRequest({
    description: "Types a line into a node's serial console (the BMC adds CR LF).",
    input: onBoard.extend({ node: nodeNumberSchema, line: z.string().max(1024) }),
    output: z.object({}),
  }),
  'bmc.reboot': defineRequest({
    description: 'Reboots the BMC. Nodes may lose power until it is back.',
    input: onBoard,
    output: z.object({}),
  }),
  'bmc.certificate': defineRequest({
    description: "The BMC's certificate fingerprint as it is now, and the one trusted for this board.",
    input: onBoard,
    output: z.object({ presented: z.string(), trusted: z.string().nullable() }),
  }),
}
