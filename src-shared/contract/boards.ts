import { z } from 'zod'
import {
  addBoardInputSchema,
  boardIdSchema,
  boardRefSchema,
  boardSchema,
  certificateFingerprintSchema,
  updateBoardInputSchema,
} from '../boards/board-schemas.ts'
import { defineEvent, defineRequest } from './define.ts'

export const boardRequests = {
  'boards.list': defineRequest({
    description: 'Every saved board, by name.',
    input: z.object({}).strict(),
    output: z.array(boardSchema),
  }),
  'boards.get': defineRequest({
    description: 'One board, by name or id.',
    input: boardRefSchema,
    output: boardSchema,
  }),
  'boards.add': defineRequest({
    description: 'Saves a board; its BMC password goes to the OS keychain.',
    input: addBoardInputSchema,
    output: boardSchema,
  }),
  'boards.update': defineRequest({
    description: 'Changes a board; fields left out stay as they are.',
    input: updateBoardInputSchema,
    output: boardSchema,
  }),
  'boards.trustCertificate': defineRequest({
    description:
      "Trusts a BMC certificate fingerprint for a board (first contact, or after the BMC's certificate changed).",
    input: z.object({ id: boardIdSchema, certificateSha256: certificateFingerprintSchema }),
    output: boardSchema,
  }),
  'boards.remove': defineRequest({
    description: 'Forgets a board and deletes its password from the keychain.',
    input: z.object({ id: boardIdSchema }),
    output: z.object({ id: boardIdSchema, name: z.string() }),
  }),
}

export const boardEvents = {
  'boards.changed': defineEvent({
    description: 'The saved boards changed (from this or another client).',
    payload: z.object({ boards: z.array(boardSchema) }),
  }),
}
