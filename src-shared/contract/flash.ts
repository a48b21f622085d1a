import { z } from 'zod'
import { nodeNumberSchema } from '../bmc/node-number.ts'
import { boardIdSchema } from '../boards/board-schemas.ts'
import { flashJobSchema, flashRecordSchema, flashRequestSchema } from '../flash/flash-schemas.ts'
import { defineEvent, defineRequest } from './define.ts'

export const flashRequests = {
  'flash.start': defineRequest({
    description:
      'Queues a flash of an image onto a node; flashes on one board run one after another, back to back.',
    input: flashRequestSchema,
    output: flashJobSchema,
  }),
  'flash.cancel': defineRequest({
    description: 'Cancels a queued or running flash. A node cancelled mid-write is left powered off.',
    input: z.object({ jobId: z.string() }),
    output: flashJobSchema,
  }),
  'flash.jobs': defineRequest({
    description: 'Flashes queued, running, and finished since the core started.',
    input: z.object({}).strict(),
    output: z.array(flashJobSchema),
  }),
  'flash.history': defineRequest({
    description: 'Every recorded flash of a board (or one node of it), newest first.',
    input: z.object({ boardId: boardIdSchema, node: nodeNumberSchema.optional() }),
    output: z.array(flashRecordSchema),
  }),
}

export const flashEvents = {
  'flash.progress': defineEvent({
    description: 'A flash job changed phase or made progress (about twice a second while running).',
    payload: flashJobSchema,
  }),
}
