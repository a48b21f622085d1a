// The BMC's wire formats (turingpi-bmc-api.md §3–4), parsed strictly: every response is checked
// against its schema, and a surprise becomes a typed error that names the call, never a crash.
import { z } from 'zod'
import type { NodeNumber } from '../../src-shared/bmc/node-number.ts'
import type { FlashState, UsbState } from '../../src-shared/bmc/bmc-schemas.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'

/** `{"response":[{"result": …}]}`, or `{"response":[{"uart": …}]}` for the UART read. */
const envelopeSchema = z.object({ response: z.array(z.record(z.string(), z.unknown())).min(1) })

export function unexpected(call: string, detail: string): AppError {
  return new AppError(
    'bmc_error',
    `The BMC answered ${call} with something Clusterdeck does not understand (${detail}).`,
    'Check the board runs BMC firmware 2.0.5 or 2.1; older firmware needs a one-time SD card upgrade.',
  )
}

export function parseJson(call: string, text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw unexpected(call, `not JSON: ${text.slice(0, 80)}`)
  }
}

/** The payload of an enveloped answer: the `result` (or `uart`) of the first entry. */
export function unwrapEnvelope(call: string, text: string, key: 'result' | 'uart' = 'result'): unknown {
  const parsed = envelopeSchema.safeParse(parseJson(call, text))
  if (!parsed.success || !(key in parsed.data.response[0]!)) throw unexpected(call, 'no response envelope')
  return parsed.data.response[0]![key]
}

/** The message of a failed call: enveloped on generic endpoints, plain text on flash endpoints. */
export function errorMessage(text: string): string {
  try {
    const parsed = envelopeSchema.safeParse(JSON.parse(text))
    const result = parsed.success ? parsed.data.response[0]!.result : undefined
    if (typeof result === 'string') return result
  } catch {
    // plain text
  }
  return text.trim() || '(empty answer)'
}

export function expectShape<T>(call: string, schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw unexpected(call, z.prettifyError(parsed.error).replace(/\s+/g, ' '))
  return parsed.data
}

const powerFlag = z.string().transform((value) => (value === '1' ? true : value === '0' ? false : null))
export const powerSchema = z
  .array(z.object({ node1: powerFlag, node2: powerFlag, node3: powerFlag, node4: powerFlag }))
  .length(1)
  .transform(
    ([p]) => ({ 1: p!.node1, 2: p!.node2, 3: p!.node3, 4: p!.node4 }) as Record<NodeNumber, boolean | null>,
  )

export const nodeInfoSchema = z
  .array(
    z.object({
      name: z.string().nullable(),
      module_name: z.string().nullable(),
      power_on_time: z.number().nullable(),
    }),
  )
  .length(4)

const usbModes = { Host: 'host', Device: 'device', Flash: 'flash' } as const
export const usbSchema = z
  .array(
    z.object({
      mode: z.enum(['Host', 'Device', 'Flash']),
      node: z.string().regex(/^Node [1-4]$/),
      route: z.enum(['Bmc', 'AlternativePort', 'UsbA']),
      bus_type: z.enum(['Usb hub', 'Single bus']).optional(),
    }),
  )
  .length(1)
  .transform(([u]): UsbState => ({
    mode: usbModes[u!.mode],
    node: Number(u!.node.slice(5)) as NodeNumber,
    route: u!.route === 'Bmc' ? 'bmc' : 'usb-a',
    ...(u!.bus_type ? { busType: u!.bus_type === 'Usb hub' ? 'usb-hub' : 'single-bus' } : {}),
  }))

export const aboutSchema = z.object({
  api: z.string().optional(),
  version: z.string(),
  bmcd_version: z.string().optional(),
  buildtime: z.string().optional(),
  board_model: z.string().optional(),
  board_revision: z.string().optional(),
  hostname: z.string().optional(),
})

export const infoSchema = z.object({
  ip: z.array(z.object({ device: z.string(), ip: z.string(), mac: z.string() })),
  storage: z.array(z.object({ name: z.string(), total_bytes: z.number(), bytes_free: z.number() })),
})

export const sdcardSchema = z
  .array(z.object({ total: z.number(), use: z.number(), free: z.number() }))
  .length(1)

export const coolingSchema = z.array(
  z.object({ device: z.string(), speed: z.number(), max_speed: z.number() }),
)

export const handleSchema = z.object({ handle: z.number().int().nonnegative() })

const flashWireSchema = z.union([
  z.literal('Ready'),
  z.object({
    Transferring: z.object({
      id: z.number(),
      process_name: z.string(),
      size: z.number(),
      cancelled: z.boolean(),
      bytes_written: z.number(),
    }),
  }),
  z.object({ Done: z.tuple([z.object({ secs: z.number(), nanos: z.number() }), z.number()]) }),
  z.object({ Error: z.string() }),
])

export function parseFlashState(text: string): FlashState {
  const wire = expectShape('get flash', flashWireSchema, parseJson('get flash', text))
  if (wire === 'Ready') return { state: 'ready' }
  if ('Transferring' in wire) {
    const t = wire.Transferring
    const node = /^Node ([1-4]) /.exec(t.process_name)?.[1]
    return {
      state: 'transferring',
      id: t.id,
      processName: t.process_name,
      size: t.size,
      bytesWritten: t.bytes_written,
      cancelled: t.cancelled,
      node: node ? (Number(node) as NodeNumber) : null,
    }
  }
  if ('Done' in wire) {
    const [elapsed, size] = wire.Done
    return { state: 'done', elapsedSeconds: elapsed.secs + elapsed.nanos / 1e9, size }
  }
  return { state: 'error', message: wire.Error }
}
