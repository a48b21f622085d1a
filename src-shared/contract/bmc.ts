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
import { defineEvent, defineRequest } from './define.ts'

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
  'bmc.serial.attach': defineRequest({
    description:
      "Opens (or keeps open) a node's interactive serial console; attach again every few seconds while it is shown. `socket`: output comes as bmc.serial.output events and bmc.serial.send types raw keys (FW 2.1). `lines`: read with bmc.uart.read and send lines with bmc.uart.send; `reason` says why.",
    input: onBoard.extend({ node: nodeNumberSchema }),
    output: z.object({ mode: z.enum(['socket', 'lines']), reason: z.string().nullable() }),
  }),
  'bmc.serial.send': defineRequest({
    description:
      'Types raw keys into an attached socket console (control characters such as Ctrl-C included).',
    input: onBoard.extend({ node: nodeNumberSchema, data: z.string().min(1).max(4096) }),
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

export const bmcEvents = {
  'bmc.serial.output': defineEvent({
    description: "What a node printed on its serial console, as it arrived over the BMC's serial WebSocket.",
    payload: z.object({ boardId: z.string(), node: nodeNumberSchema, text: z.string() }),
  }),
  'bmc.serial.closed': defineEvent({
    description: "A node's serial WebSocket closed (the BMC restarted, or nobody kept the console open).",
    payload: z.object({ boardId: z.string(), node: nodeNumberSchema }),
  }),
}
