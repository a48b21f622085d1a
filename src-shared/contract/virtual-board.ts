import { z } from 'zod'
import { boardSchema } from '../boards/board-schemas.ts'
import { defineEvent, defineRequest } from './define.ts'

export const virtualFirmwareSchema = z.enum(['2.1', '2.0.5'])

export const virtualBoardStatusSchema = z.object({
  running: z.boolean(),
  /** The saved virtual board, if there is one (it stays saved while stopped). */
  boardId: z.uuid().nullable(),
  /** https://127.0.0.1:PORT while running. */
  url: z.string().nullable(),
  firmware: virtualFirmwareSchema,
  writeSpeedMBps: z.number(),
})

export type VirtualBoardStatus = z.infer<typeof virtualBoardStatusSchema>

export const virtualBoardRequests = {
  'virtualBoard.start': defineRequest({
    description:
      'Starts the built-in virtual Turing Pi BMC on 127.0.0.1 (or returns the running one) and saves it as the board "Virtual board", trusted, with a certificate kept in the data directory and the port of its last start when that is free.',
    // Left out: the settings of the last start (first time: firmware 2.1, 25 MB/s).
    input: z.object({
      firmware: virtualFirmwareSchema.optional(),
      /** Simulated eMMC speed in MB/s; 0 = as fast as the machine allows. */
      writeSpeedMBps: z.number().min(0).max(10_000).optional(),
    }),
    output: boardSchema,
  }),
  'virtualBoard.stop': defineRequest({
    description: 'Stops the built-in virtual board; it stays saved and starts again with the app.',
    input: z.object({}).strict(),
    output: virtualBoardStatusSchema,
  }),
  'virtualBoard.status': defineRequest({
    description: 'Whether the built-in virtual board runs, where, and with which settings.',
    input: z.object({}).strict(),
    output: virtualBoardStatusSchema,
  }),
}

export const virtualBoardEvents = {
  'virtualBoard.changed': defineEvent({
    description: 'The built-in virtual board started or stopped.',
    payload: virtualBoardStatusSchema,
  }),
}
