// One board's BMC over HTTPS (turingpi-bmc-api.md). It logs in for a bearer token, logs in again
// once when a token stops working, and never retries refused credentials: bmcd blocks an address
// after five failures, for up to 17 hours. Every call has a timeout; every answer is parsed into
// the app's own types; every failure is a typed AppError naming the call.
import { Readable } from 'node:stream'
import { errors as undiciErrors, request, type Agent, type Dispatcher } from 'undici'
import type {
  BmcInfo,
  Capabilities,
  FlashState,
  Firmware,
  NodeStatus,
  UsbMode,
  UsbState,
} from '../../src-shared/bmc/bmc-schemas.ts'
import { nodeNumbers, type NodeNumber } from '../../src-shared/bmc/node-number.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { detectFirmware } from './firmware.ts'
import {
  aboutSchema,
  coolingSchema,
  errorMessage,
  expectShape,
  handleSchema,
  infoSchema,
  nodeInfoSchema,
  parseFlashState,
  parseJson,
  powerSchema,
  sdcardSchema,
  unwrapEnvelope,
  usbSchema,
} from './bmc-wire.ts'
import { createPinnedAgent, unreachable } from './pinned-tls.ts'

export interface BmcConnection {
  /** https://host[:port] */
  url: string
  username: string
  password: string
  /** The trusted SHA-256 fingerprint of the BMC's certificate. */
  fingerprint: string
  /** How messages name the board, e.g. `board "rack-1"`, or the address of a BMC given directly. */
  label: string
  /** How the user corrects a refused password; by default that of a saved board. */
  passwordFix?: string
  /** What to do when the board does not answer, when it is not hardware advice (the virtual board). */
  unreachableHint?: string
}

export interface BmcClientOptions {
  timeoutMs?: number
  /** Told when the BMC refuses the credentials or bans this computer, so the refusal can outlive this client. */
  onCredentialsRefused?: (error: AppError) => void
}

type Params = Record<string, string | number | true>

const usbModeBits: Record<UsbMode, number> = { host: 0, device: 1, flash: 2 }

export class BmcClient {
  readonly connection: BmcConnection
  private readonly agent: Agent
  private readonly timeoutMs: number
  private readonly onCredentialsRefused: ((error: AppError) => void) | undefined
  private token: string | undefined
  private login: Promise<string> | undefined
  /** Set once the BMC refused our credentials: no further attempt until the user fixes them. */
  private refused: AppError | undefined
  private detected: Promise<{ firmware: Firmware; capabilities: Capabilities }> | undefined
  private rebootRequestedAt: number | undefined

  constructor(connection: BmcConnection, options: BmcClientOptions = {}) {
    this.connection = connection
    this.timeoutMs = options.timeoutMs ?? 15_000
    this.onCredentialsRefused = options.onCredentialsRefused
    this.agent = createPinnedAgent({
      fingerprint: connection.fingerprint,
      connectTimeoutMs: this.timeoutMs,
      boardLabel: connection.label,
    })
  }

  close(): Promise<void> {
    return this.agent.close()
  }

  // ---- identity and state -------------------------------------------------------------------

  firmware(): Promise<{ firmware: Firmware; capabilities: Capabilities }> {
    this.detected ??= this.get('about').then((value) =>
      detectFirmware(expectShape('get about', aboutSchema, value)),
    )
    this.detected.catch(() => (this.detected = undefined))
    return this.detected
  }

  async power(): Promise<Record<NodeNumber, boolean | null>> {
    return expectShape('get power', powerSchema, await this.get('power'))
  }

  async nodes(): Promise<NodeStatus[]> {
    const [{ capabilities }, power] = await Promise.all([this.firmware(), this.power()])
    const info = capabilities.nodeInfo
      ? expectShape('get node_info', nodeInfoSchema, await this.get('node_info'))
      : []
    return nodeNumbers.map((node) => ({
      node,
      poweredOn: power[node],
      name: info[node - 1]?.name ?? null,
      moduleName: info[node - 1]?.module_name ?? null,
      uptimeSeconds: info[node - 1]?.power_on_time ?? null,
    }))
  }

  async usb(): Promise<UsbState> {
    return expectShape('get usb', usbSchema, await this.get('usb'))
  }

  async info(): Promise<BmcInfo> {
    const { firmware, capabilities } = await this.firmware()
    const info = expectShape('get info', infoSchema, await this.get('info'))
    // The SD card call fails with 400 when no card is inserted; that is an answer, not an error.
    const sd = await this.get('sdcard').then(
      (value) => expectShape('get sdcard', sdcardSchema, value)[0]!,
      (error: unknown) =>
        error instanceof AppError && error.code === 'bmc_error' ? null : Promise.reject(error),
    )
    const cooling = capabilities.cooling
      ? expectShape('get cooling', coolingSchema, await this.get('cooling'))
      : []
    return {
      firmware,
      capabilities,
      addresses: info.ip,
      storage: info.storage.map((s) => ({
        name: s.name,
        totalBytes: s.total_bytes,
        freeBytes: s.bytes_free,
      })),
      sdCard: sd && { totalBytes: sd.total, usedBytes: sd.use, freeBytes: sd.free },
      cooling: cooling.map((c) => ({ device: c.device, speed: c.speed, maxSpeed: c.max_speed })),
    }
  }

  /** The UART text the BMC holds for a node (on 2.1 the whole ring buffer, every time). */
  async uart(node: NodeNumber): Promise<string> {
    const text = unwrapEnvelope(
      `get uart of node ${node}`,
      await this.ok(this.query('get', 'uart', { node: node - 1 })),
      'uart',
    )
    if (typeof text !== 'string')
      throw new AppError('bmc_error', `The BMC's UART answer for node ${node} is not text.`)
    return text
  }

  async flashState(): Promise<FlashState> {
    return parseFlashState(await this.ok(this.query('get', 'flash')))
  }

  // ---- actions ------------------------------------------------------------------------------

  async setPower(changes: Partial<Record<NodeNumber, boolean>>): Promise<void> {
    const params: Params = {}
    for (const node of nodeNumbers) {
      const on = changes[node]
      if (on !== undefined) params[`node${node}`] = on ? 1 : 0
    }
    if (Object.keys(params).length === 0) return
    await this.set('power', params)
  }

  async reset(node: NodeNumber): Promise<void> {
    await this.set('reset', { node: node - 1 })
  }

  async setUsb(node: NodeNumber, mode: UsbMode, route: UsbState['route']): Promise<void> {
    // Mode values 3 and 7 crash bmcd; only ever send 0–2, plus 4 to route to the BMC.
    await this.set('usb', { node: node - 1, mode: usbModeBits[mode] + (route === 'bmc' ? 4 : 0) })
  }

  async clearUsbBoot(): Promise<void> {
    await this.set('clear_usb_boot', {})
  }

  async sendUart(node: NodeNumber, line: string): Promise<void> {
    await this.set('uart', { node: node - 1, cmd: line })
  }

  async setCooling(device: string, speed: number): Promise<void> {
    await this.set('cooling', { device, speed })
  }

  /**
   * Whether this client asked the BMC to reboot at or after `since` (Date.now() time), including a
   * request still in flight: a flash broken off by it was cut by us, not by the network.
   */
  rebootRequestedSince(since: number): boolean {
    return this.rebootRequestedAt !== undefined && this.rebootRequestedAt >= since
  }

  async reboot(): Promise<void> {
    this.rebootRequestedAt = Date.now()
    await this.set('reboot', {})
    this.token = undefined
    this.detected = undefined
  }

  /** Asks for a transfer handle; the upload must follow within 10 seconds. */
  async startFlash(options: {
    node: NodeNumber
    fileName: string
    length: number
    sha256?: string
    skipVerify: boolean
  }): Promise<number> {
    const params: Params = { node: options.node - 1, file: options.fileName, length: options.length }
    if (options.sha256) params.sha256 = options.sha256
    // bmcd reads the key's presence, not its value: skip_crc=false would skip verification too.
    if (options.skipVerify) params.skip_crc = true
    const text = await this.ok(this.query('set', 'flash', params))
    return expectShape('set flash', handleSchema, parseJson('set flash', text)).handle
  }

  /**
   * Streams the image as the single part of a multipart body. bmcd relays it to the eMMC
   * writer through a small channel, so the request runs at write speed and answers only when the
   * data is written: there is no response timeout, the caller watches progress and may abort.
   */
  async upload(
    handle: number,
    image: AsyncIterable<Buffer>,
    options: { length: number; fileName: string; signal?: AbortSignal },
  ): Promise<void> {
    const boundary = `clusterdeck-${handle}-${Date.now().toString(36)}`
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${options.fileName.replace(/"/g, '')}"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    )
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
    async function* body() {
      yield head
      yield* image
      yield tail
    }
    const response = await this.send(
      'POST',
      `/api/bmc/upload/${handle}`,
      {
        body: Readable.from(body(), { objectMode: false }),
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(head.length + options.length + tail.length),
        },
        headersTimeout: 0,
        bodyTimeout: 0,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      'upload the image',
    )
    if (response.status !== 200) {
      throw new AppError('bmc_error', `The BMC refused the upload: ${errorMessage(response.text)}`)
    }
  }

  async cancelFlash(): Promise<void> {
    await this.ok(this.send('GET', '/api/bmc/upload/0/cancel', {}, 'cancel the transfer'))
  }

  // ---- plumbing -----------------------------------------------------------------------------

  private async get(type: string, params: Params = {}): Promise<unknown> {
    return unwrapEnvelope(`get ${type}`, await this.ok(this.query('get', type, params)))
  }

  private async set(type: string, params: Params): Promise<void> {
    await this.ok(this.query('set', type, params))
  }

  private query(opt: 'get' | 'set', type: string, params: Params = {}) {
    const search = new URLSearchParams({ opt, type })
    for (const [key, value] of Object.entries(params)) search.set(key, value === true ? '' : String(value))
    // URLSearchParams writes "skip_crc=" for a bare flag; bmcd only checks the key is there.
    return this.send('GET', `/api/bmc?${search}`, {}, `${opt} ${type}`)
  }

  /** Resolves the answer text of a 200, or throws the BMC's own message as a typed error. */
  private async ok(pending: Promise<{ status: number; text: string; call: string }>): Promise<string> {
    const { status, text, call } = await pending
    if (status === 200) return text
    throw new AppError(
      'bmc_error',
      `The BMC of ${this.connection.label} could not ${call}: ${errorMessage(text)} (HTTP ${status}).`,
    )
  }

  private async send(
    method: 'GET' | 'POST',
    path: string,
    options: Partial<Dispatcher.RequestOptions>,
    call: string,
  ): Promise<{ status: number; text: string; call: string }> {
    let token = await this.authenticate()
    let response = await this.exchange(method, path, options, token)
    if (response.status === 401) {
      if (isLockout(response.text)) throw this.lockedOut(response.text)
      // The token died (bmcd restarted, or 3 h idle): log in once more, then give up.
      if (this.token === token) this.token = undefined
      token = await this.authenticate()
      // A streamed body (the image upload) is spent and cannot be sent again.
      if (options.body !== undefined && typeof options.body !== 'string') {
        throw new AppError(
          'bmc_error',
          `The session with the BMC of ${this.connection.label} ended just as Clusterdeck began to ${call}.`,
          'Clusterdeck has logged in again; start the flash once more.',
        )
      }
      response = await this.exchange(method, path, options, token)
      if (response.status === 401) {
        throw new AppError(
          'bmc_auth_failed',
          `The BMC of ${this.connection.label} refused a fresh session for ${call}: ${response.text.trim()}`,
          this.passwordFix(),
        )
      }
    }
    return { ...response, call }
  }

  private async exchange(
    method: 'GET' | 'POST',
    path: string,
    options: Partial<Dispatcher.RequestOptions>,
    token: string,
  ): Promise<{ status: number; text: string }> {
    try {
      const response = await request(new URL(path, this.connection.url), {
        method,
        dispatcher: this.agent,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        ...options,
        headers: { ...(options.headers as Record<string, string>), authorization: `Bearer ${token}` },
      })
      return { status: response.statusCode, text: await response.body.text() }
    } catch (error) {
      throw this.transportError(error)
    }
  }

  private authenticate(): Promise<string> {
    if (this.refused) return Promise.reject(this.refused)
    if (this.token) return Promise.resolve(this.token)
    this.login ??= this.logIn().finally(() => (this.login = undefined))
    return this.login
  }

  private async logIn(): Promise<string> {
    let status: number
    let text: string
    let header: string | string[] | undefined
    try {
      const response = await request(new URL('/api/bmc/authenticate', this.connection.url), {
        method: 'POST',
        dispatcher: this.agent,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: this.connection.username, password: this.connection.password }),
      })
      status = response.statusCode
      text = await response.body.text()
      header = response.headers['x-auth-token']
    } catch (error) {
      throw this.transportError(error)
    }
    if (status === 200) {
      const session = parseJson('authenticate', text) as { id?: unknown }
      const token =
        typeof session.id === 'string' ? session.id : typeof header === 'string' ? header : undefined
      if (!token) throw new AppError('bmc_error', 'The BMC accepted the login but sent no session token.')
      this.token = token
      return token
    }
    if (isLockout(text)) {
      this.refused = this.lockedOut(text)
    } else {
      this.refused = new AppError(
        'bmc_auth_failed',
        `The BMC of ${this.connection.label} refused the user "${this.connection.username}" and its password (${text.trim() || `HTTP ${status}`}).`,
        `${this.passwordFix()} Clusterdeck does not try again by itself: after five failed logins the BMC blocks this computer for up to 17 hours.`,
      )
    }
    this.onCredentialsRefused?.(this.refused)
    throw this.refused
  }

  private passwordFix(): string {
    return this.connection.passwordFix ?? 'Check the user and update the password of this board.'
  }

  private lockedOut(text: string): AppError {
    return new AppError(
      'bmc_locked_out',
      `The BMC of ${this.connection.label} is blocking this computer after too many failed logins: ${text.trim()}`,
      'Wait until the block ends (each further attempt doubles it), or restart the BMC to clear it; then check the password.',
    )
  }

  private transportError(error: unknown): AppError {
    if (error instanceof AppError) return error
    if (error instanceof undiciErrors.RequestAbortedError || (error as Error).name === 'AbortError') {
      return new AppError('cancelled', `The request to the BMC of ${this.connection.label} was cancelled.`)
    }
    if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
      return new AppError(
        'timeout',
        `The BMC of ${this.connection.label} did not answer within ${this.timeoutMs / 1000} s.`,
        'The BMC may be busy or rebooting; try again in a moment.',
      )
    }
    const cause = (error as { cause?: Error }).cause
    if (cause instanceof AppError) return cause
    return unreachable(
      this.connection.url,
      (cause ?? (error as Error)).message ?? String(error),
      this.connection.unreachableHint,
    )
  }
}

function isLockout(text: string): boolean {
  return text.includes('Exceeded allowed authentication attempts')
}
