// What a board is, and the rules every boundary applies to board input (UI form, CLI flags,
// WebSocket and IPC requests all parse through these schemas).
import { z } from 'zod'
import { normalizeFingerprint } from '../bmc/certificate-fingerprint.ts'

export const boardIdSchema = z.uuid({ message: 'must be a board id' })

export const boardNameSchema = z
  .string()
  .trim()
  .min(1, { message: 'is empty: give the board a name', abort: true })
  .max(64, { message: 'is longer than 64 characters' })
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._-]*$/u, {
    message:
      'may hold letters, digits, spaces, dots, dashes and underscores, and must start with a letter or digit',
  })

export const bmcUserSchema = z
  .string()
  .trim()
  .min(1, { message: 'is empty: the BMC user is usually root', abort: true })
  .max(64, { message: 'is longer than 64 characters' })
  .regex(/^[^\s:]+$/, { message: 'may not contain spaces or colons' })

export const bmcPasswordSchema = z
  .string()
  .min(1, { message: 'is empty' })
  .max(256, { message: 'is longer than 256 characters' })

const hostnameLabel = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i

function isHostname(host: string): boolean {
  return host.length <= 253 && host.split('.').every((label) => hostnameLabel.test(label))
}

function isIpv4(host: string): boolean {
  const parts = host.split('.')
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)
}

/**
 * Normalises what a user types as a BMC address into `https://host[:port]`. Accepts a host name,
 * an IPv4 or bracketed IPv6 address, optionally with a port or an `https://` prefix. Returns
 * null when the text is not such an address.
 */
export function normalizeBmcAddress(text: string): string | null {
  const trimmed = text.trim()
  if (trimmed === '' || /\s/.test(trimmed)) return null
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    return null
  }
  if (url.protocol !== 'https:') return null
  if (
    url.username ||
    url.password ||
    url.search ||
    url.hash ||
    (url.pathname !== '/' && url.pathname !== '')
  ) {
    return null
  }
  const host = url.hostname
  const isIpv6 = host.startsWith('[') && host.endsWith(']')
  // The URL parser accepts shorthand such as "10.1" as IPv4; require what people actually write.
  const typedHost = trimmed
    .replace(/^https:\/\//i, '')
    .replace(/:\d+$/, '')
    .toLowerCase()
  if (!isIpv6 && /^[\d.]+$/.test(typedHost) && !isIpv4(typedHost)) return null
  if (!isIpv6 && !isIpv4(host) && !isHostname(host)) return null
  return url.port ? `https://${host}:${url.port}` : `https://${host}`
}

export const bmcAddressSchema = z
  .string()
  .trim()
  .min(1, { message: 'is empty: give the BMC host name or IP address, e.g. turingpi.local' })
  .transform((text, ctx) => {
    const normalized = normalizeBmcAddress(text)
    if (normalized === null) {
      ctx.addIssue({
        code: 'custom',
        message: `"${text}" is not a BMC address: use a host name or IP address, optionally with https:// and a port, e.g. 192.168.1.90 or https://turingpi.local:443`,
      })
      return z.NEVER
    }
    return normalized
  })

export const certificateFingerprintSchema = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const normalized = normalizeFingerprint(text)
    if (normalized === null) {
      ctx.addIssue({
        code: 'custom',
        message: 'is not a SHA-256 certificate fingerprint (64 hex digits, colons optional)',
      })
      return z.NEVER
    }
    return normalized
  })

/** A BMC on the network, or the virtual board that Clusterdeck runs itself on 127.0.0.1. */
export const boardKindSchema = z.enum(['bmc', 'virtual'])

export type BoardKind = z.infer<typeof boardKindSchema>

export const boardSchema = z.object({
  id: boardIdSchema,
  kind: boardKindSchema,
  name: z.string(),
  address: z.string(),
  user: z.string(),
  hasPassword: z.boolean(),
  /**
   * The BMC refused the saved password (or banned this computer): no login is sent to it until the
   * password is changed. Kept across restarts and shared by the app and the CLI.
   */
  credentialsRefused: z.object({ at: z.string(), message: z.string() }).nullable(),
  /** The BMC certificate the user trusted (SHA-256, AA:BB:… form); null until first contact. */
  certificateSha256: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
})

export type Board = z.infer<typeof boardSchema>

export const addBoardInputSchema = z.object({
  name: boardNameSchema,
  address: bmcAddressSchema,
  user: bmcUserSchema,
  password: bmcPasswordSchema,
  certificateSha256: certificateFingerprintSchema.optional(),
})

export type AddBoardInput = z.input<typeof addBoardInputSchema>

export const updateBoardInputSchema = z.object({
  id: boardIdSchema,
  name: boardNameSchema.optional(),
  address: bmcAddressSchema.optional(),
  user: bmcUserSchema.optional(),
  password: bmcPasswordSchema.optional(),
})

export type UpdateBoardInput = z.input<typeof updateBoardInputSchema>

/** Boards are addressed by id from the UI and by id or name from the CLI. */
export const boardRefSchema = z.object({
  ref: z.string().trim().min(1, { message: 'is empty: name a board by its name or id' }),
})
