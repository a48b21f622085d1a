// bmcd's authentication: a Redfish-like session login that hands out 64-character bearer tokens
// kept in memory with a sliding lifetime, Basic credentials on any request, and the BanPatrol
// lockout per peer. Messages, challenges and which failures count toward a lockout follow
// bmcd/src/authentication (authentication_context.rs, authentication_errors.rs).
import { randomInt } from 'node:crypto'
import { BanPatrol } from './ban-patrol.ts'
import type { VirtualBoardClock } from './clock.ts'
import { formatHumantime } from './human-format.ts'

export const authRealm = 'Access to Baseboard Management Controller'
const maxAuthenticationAttempts = 5
const tokenAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

export type AuthorizeResult = { ok: true } | { ok: false; message: string; challenge: string }
export type LoginResult = { ok: true; token: string; body: string } | { ok: false; message: string }

export interface AuthenticatorOptions {
  username: string
  password: string
  tokenTtlMs: number
  clock: VirtualBoardClock
}

type CheckResult = { ok: true } | { ok: false; message: string }

export class Authenticator {
  readonly #options: AuthenticatorOptions
  readonly #tokens = new Map<string, number>() // token -> last use
  readonly #banPatrol: BanPatrol

  constructor(options: AuthenticatorOptions) {
    this.#options = options
    this.#banPatrol = new BanPatrol(maxAuthenticationAttempts, options.clock)
  }

  /** Login requests (POST /api/bmc/authenticate) since the board started, and how many failed. */
  readonly loginCounts = { attempts: 0, failed: 0 }

  get sessionCount(): number {
    return this.#tokens.size
  }

  /** The lockout bookkeeping, summed over peers (every client of a virtual board is on loopback). */
  lockout(): { failures: number; blocked: boolean } {
    const peers = this.#banPatrol.peers()
    return {
      failures: peers.reduce((sum, peer) => sum + peer.failures, 0),
      blocked: peers.some((peer) => peer.blocked),
    }
  }

  /** A bmcd restart (reboot, reload) forgets every token and every penalty. */
  forgetAll(): void {
    this.#tokens.clear()
    this.#banPatrol.clearAll()
  }

  /** POST /api/bmc/authenticate: the body is parsed as JSON whatever its content type. */
  login(peer: string, body: Buffer): LoginResult {
    this.loginCounts.attempts++
    const parsed = parseLogin(body)
    if (typeof parsed === 'string') {
      this.loginCounts.failed++
      return { ok: false, message: `error trying to parse credentials: ${parsed}` }
    }
    const check = this.#validateCredentials(peer, parsed.username, parsed.password)
    if (!check.ok) {
      this.loginCounts.failed++
      return check
    }

    const token = Array.from({ length: 64 }, () => tokenAlphabet[randomInt(tokenAlphabet.length)]).join('')
    this.#dropExpiredTokens()
    this.#tokens.set(token, this.#options.clock.now())
    const session = {
      id: token,
      name: 'User Session',
      description: 'User Session',
      username: parsed.username,
    }
    return { ok: true, token, body: JSON.stringify(session) }
  }

  /** Checks the Authorization header of a request under /api/bmc. */
  authorize(peer: string, header: string | undefined): AuthorizeResult {
    const basicChallenge = `Basic realm="${authRealm}"`
    if (header === undefined)
      return { ok: false, message: 'no authorization header provided', challenge: basicChallenge }
    const space = header.indexOf(' ')
    if (space < 0) {
      return { ok: false, message: `cannot parse authorization header: ${header}`, challenge: basicChallenge }
    }
    const scheme = header.slice(0, space)
    const value = header.slice(space + 1)
    if (scheme === 'Bearer') {
      const result = this.#authorizeBearer(peer, value)
      if (result.ok) return result
      return {
        ok: false,
        message: result.message,
        challenge: `Bearer realm="${authRealm}" error="invalid_token" error_description="${result.message}"`,
      }
    }
    if (scheme === 'Basic') {
      const result = this.#authorizeBasic(peer, value)
      return result.ok ? result : { ...result, challenge: basicChallenge }
    }
    return { ok: false, message: `${scheme} authentication not supported`, challenge: `realm="${authRealm}"` }
  }

  #authorizeBearer(peer: string, token: string): CheckResult {
    const banned = this.#bannedMessage(peer)
    if (banned) return { ok: false, message: banned }
    const lastUse = this.#tokens.get(token)
    if (lastUse === undefined) {
      return { ok: false, message: this.#penalize(peer) ?? `token ${token} is not registered` }
    }
    const now = this.#options.clock.now()
    const idle = now - lastUse
    if (idle < this.#options.tokenTtlMs) {
      this.#tokens.set(token, now)
      this.#banPatrol.clear(peer)
      return { ok: true }
    }
    // Not counted as a failure the first time; the token is gone, so a retry counts.
    this.#tokens.delete(token)
    return { ok: false, message: `token expired ${formatHumantime(idle)} ago` }
  }

  #authorizeBasic(peer: string, encoded: string): CheckResult {
    const decoded = decodeBase64Strict(encoded)
    if (decoded === undefined)
      return { ok: false, message: 'error trying to parse credentials: Invalid input' }
    const colon = decoded.indexOf(':')
    if (colon < 0) {
      return { ok: false, message: 'error trying to parse credentials: basic authentication formatted wrong' }
    }
    return this.#validateCredentials(peer, decoded.slice(0, colon), decoded.slice(colon + 1))
  }

  #validateCredentials(peer: string, username: string, password: string): CheckResult {
    const banned = this.#bannedMessage(peer)
    if (banned) return { ok: false, message: banned }
    if (username === this.#options.username && password === this.#options.password) {
      this.#banPatrol.clear(peer)
      return { ok: true }
    }
    return { ok: false, message: this.#penalize(peer) ?? 'credentials incorrect' }
  }

  #penalize(peer: string): string | undefined {
    const blockedFor = this.#banPatrol.penalize(peer)
    return blockedFor === undefined ? undefined : exceededMessage(blockedFor)
  }

  #bannedMessage(peer: string): string | undefined {
    const blockedFor = this.#banPatrol.blockedFor(peer)
    return blockedFor === undefined ? undefined : exceededMessage(blockedFor)
  }

  #dropExpiredTokens(): void {
    const now = this.#options.clock.now()
    for (const [token, lastUse] of this.#tokens) {
      if (now - lastUse > this.#options.tokenTtlMs) this.#tokens.delete(token)
    }
  }
}

function exceededMessage(blockedForMs: number): string {
  return `Exceeded allowed authentication attempts. Access blocked for ${formatHumantime(blockedForMs)}`
}

/** Returns the credentials, or a serde-like reason why the body is not a login object. */
function parseLogin(body: Buffer): { username: string; password: string } | string {
  let value: unknown
  try {
    value = JSON.parse(body.toString('utf8'))
  } catch (error) {
    return (error as Error).message
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'invalid type: expected struct Login'
  }
  const record = value as Record<string, unknown>
  for (const field of ['username', 'password'] as const) {
    if (!(field in record)) return `missing field \`${field}\``
    if (typeof record[field] !== 'string') return `invalid type for \`${field}\`: expected a string`
  }
  return { username: record.username as string, password: record.password as string }
}

function decodeBase64Strict(encoded: string): string | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return undefined
  const bytes = Buffer.from(encoded, 'base64')
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}
