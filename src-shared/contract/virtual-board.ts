import { z } from 'zod'
import { boardSchema } from '../boards/board-schemas.ts'
import { defineRequest } from './define.ts'

export const virtualBoardRequests = {
  'virtualBoard.start': defineRequest({
    description:
      'Starts the built-in virtual Turing Pi BMC on 127.0.0.1 (or returns the running one) and saves it as the board "Virtual board", trusted and with its credentials.',
    input: z.object({
      firmware: z.enum(['2.1', '2.0.5']).default('2.1'),
      /** Simulated eMMC speed in MB/s; 0 = as fast as the machine allows. */
      writeSpeedMBps: z.number().min(0).max(10_000).default(25),
    }),
    output: boardSchema,
  }),
}
