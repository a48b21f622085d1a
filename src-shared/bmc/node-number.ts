// Nodes are numbered 1–4 as printed on the board everywhere a person sees them; the BMC's API
// counts from 0. The conversion happens in exactly one place, the BMC client.
import { z } from 'zod'

export const nodeNumbers = [1, 2, 3, 4] as const
export type NodeNumber = (typeof nodeNumbers)[number]

export const nodeNumberSchema = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)], {
  error: 'must be a node number from 1 to 4, as printed on the board',
})

export function parseNodeNumber(text: string): NodeNumber | null {
  const parsed = nodeNumberSchema.safeParse(Number(text))
  return /^\s*\d+\s*$/.test(text) && parsed.success ? parsed.data : null
}
