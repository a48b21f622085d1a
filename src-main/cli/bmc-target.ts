// What `clusterdeck bmc …` talks to: a saved board (--board NAME, password from the keychain,
// through the same contract requests the app uses) or a BMC given on the command line (--bmc URL
// --user USER, password from stdin or the environment), served by the same BmcService and
// FlashService the core runs.
import type { NodeNumber } from '../../src-shared/bmc/node-number.ts'
import { bmcAddressSchema, bmcUserSchema } from '../../src-shared/boards/board-schemas.ts'
import { normalizeFingerprint } from '../../src-shared/bmc/certificate-fingerprint.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { RequestInput, RequestOutput } from '../../src-shared/contract/index.ts'
import { finishedPhases, type FlashJob } from '../../src-shared/flash/flash-schemas.ts'
import { BmcClient } from '../bmc/bmc-client.ts'
import { BmcService } from '../bmc/bmc-service.ts'
import { certificateChanged, probeCertificate } from '../bmc/pinned-tls.ts'
import { EventBus } from '../core/event-bus.ts'
import { FlashService } from '../flash/flash-service.ts'
import { readPassword, usage } from './cli-io.ts'
import type { CliContext } from './main.ts'

export interface BmcConnectionOptions {
  board?: string
  bmc?: string
  user?: string
  passwordStdin?: boolean
  fingerprint?: string
  trustOnFirstUse?: boolean
}

type Without<N extends keyof RequestInputs> = Omit<RequestInputs[N], 'boardId'>
type RequestInputs = { [N in 'bmc.power' | 'bmc.usb' | 'bmc.uart.read' | 'bmc.uart.send']: RequestInput<N> }

export interface FlashOrder {
  node: NodeNumber
  path: string
  verify: boolean
  powerOnAfter: boolean
}

export interface BmcTarget {
  readonly label: string
  status(): Promise<RequestOutput<'bmc.status'>>
  info(): Promise<RequestOutput<'bmc.info'>>
  power(input: Without<'bmc.power'>): Promise<void>
  usb(input: Without<'bmc.usb'>): Promise<void>
  readUart(input: Without<'bmc.uart.read'>): Promise<RequestOutput<'bmc.uart.read'>>
  sendUart(input: Without<'bmc.uart.send'>): Promise<void>
  reboot(): Promise<void>
  /** Flashes and resolves with the finished job; onUpdate sees every change; `stop` cancels it. */
  flash(order: FlashOrder, onUpdate: (job: FlashJob) => void, stop: AbortSignal): Promise<FlashJob>
  close(): Promise<void>
}

export async function openBmcTarget(cli: CliContext, options: BmcConnectionOptions): Promise<BmcTarget> {
  if (options.board && options.bmc) throw usage('give either --board NAME or --bmc URL, not both')
  if (options.bmc) return directTarget(cli, options, options.bmc)
  if (options.passwordStdin) {
    throw usage(
      '--password-stdin goes with --bmc URL; a saved board’s password comes from the keychain (change it with clusterdeck board edit)',
    )
  }
  return savedBoardTarget(cli, options)
}

async function savedBoardTarget(cli: CliContext, options: BmcConnectionOptions): Promise<BmcTarget> {
  const board = options.board ? await cli.call('boards.get', { ref: options.board }) : await onlyBoard(cli)
  const label = `board "${board.name}"`
  if (options.fingerprint || options.trustOnFirstUse) {
    const { presented } = await cli.call('bmc.certificate', { boardId: board.id })
    const stored = board.certificateSha256
    // Trust on first use is for the first use only: a board that trusts a certificate never
    // swaps it for another on that flag, or the password would go to whoever answers now.
    if (stored && presented !== stored && !options.fingerprint)
      throw certificateChanged(label, stored, presented)
    const trusted = expectedFingerprint(options, presented, board.address)
    if (trusted !== stored) {
      await cli.call('boards.trustCertificate', { id: board.id, certificateSha256: trusted })
      cli.io.stderr.write(
        stored
          ? `Trusting the new certificate of board "${board.name}": ${trusted} (it replaces ${stored})\n`
          : `Trusting the certificate of board "${board.name}": ${trusted}\n`,
      )
    }
  }
  const boardId = board.id
  return {
    label,
    status: () => cli.call('bmc.status', { boardId }),
    info: () => cli.call('bmc.info', { boardId }),
    power: async (input) => void (await cli.call('bmc.power', { boardId, ...input })),
    usb: async (input) => void (await cli.call('bmc.usb', { boardId, ...input })),
    readUart: (input) => cli.call('bmc.uart.read', { boardId, ...input }),
    sendUart: async (input) => void (await cli.call('bmc.uart.send', { boardId, ...input })),
    reboot: async () => void (await cli.call('bmc.reboot', { boardId })),
    async flash(order, onUpdate, cancel) {
      // A flash job fails with a message only; a changed certificate must stay that error, with
      // its fingerprints, so the user learns which flag settles it. Probing sends nothing.
      const { presented, trusted } = await cli.call('bmc.certificate', { boardId })
      if (trusted && presented !== trusted) throw certificateChanged(label, trusted, presented)
      const core = cli.core()
      let jobId: string | undefined
      const updates: FlashJob[] = []
      const stop = core.events.on('flash.progress', (job) => {
        if (jobId === undefined) updates.push(job)
        else if (job.id === jobId) onUpdate(job)
      })
      try {
        const job = await cli.call('flash.start', {
          boardId,
          node: order.node,
          image: { kind: 'file', path: order.path },
          verify: order.verify,
          powerOnAfter: order.powerOnAfter,
        })
        jobId = job.id
        for (const early of updates) if (early.id === jobId) onUpdate(early)
        const { flash } = await core.domains()
        whenAborted(cancel, () => flash.cancel(job.id))
        await flash.idle()
        return flash.list().find((j) => j.id === jobId)!
      } finally {
        stop()
      }
    },
    close: async () => undefined,
  }
}

async function directTarget(
  cli: CliContext,
  options: BmcConnectionOptions,
  address: string,
): Promise<BmcTarget> {
  const url = parseWith(bmcAddressSchema, address, '--bmc')
  const user = parseWith(bmcUserSchema, options.user ?? 'root', '--user')
  const password = (await readPassword(cli.io, {
    fromStdin: options.passwordStdin === true,
    required: true,
  }))!
  if (!options.fingerprint && !options.trustOnFirstUse) {
    const presented = await probeCertificate(url, 15_000)
    throw new AppError(
      'bmc_certificate_untrusted',
      `The BMC at ${url} presents a certificate with SHA-256 fingerprint ${presented}, which is not trusted yet.`,
      'Pass --fingerprint with the fingerprint you expect (compare it on the BMC), or --trust-on-first-use to accept this one.',
      { actual: presented },
    )
  }
  const fingerprint = expectedFingerprint(options, await probeCertificate(url, 15_000), url)
  const label = url
  const client = new BmcClient({
    url,
    username: user,
    password,
    fingerprint,
    label,
    passwordFix: `Check --user (${user}) and pass the right password on stdin with --password-stdin, or in CLUSTERDECK_BMC_PASSWORD.`,
  })
  const source = { client: async () => client }
  const service = new BmcService(source)
  const boardId = 'command-line'
  return {
    label,
    status: () => service.status({ boardId }),
    info: () => service.info({ boardId }),
    power: (input) => service.power({ boardId, ...input }).then(() => undefined),
    usb: (input) => service.usb({ boardId, ...input }).then(() => undefined),
    readUart: (input) => service.readUart({ boardId, ...input }),
    sendUart: (input) => service.sendUart({ boardId, ...input }).then(() => undefined),
    reboot: () => service.reboot({ boardId }).then(() => undefined),
    async flash(order, onUpdate, cancel) {
      const events = new EventBus()
      const stop = events.on('flash.progress', onUpdate)
      // Not a saved board, so there is no history to record the flash in.
      const flash = new FlashService({
        boards: { get: async () => ({ id: boardId, name: url }) },
        connector: source,
        images: (await cli.core().domains()).imageCache,
        events,
      })
      try {
        const job = await flash.start({
          boardId,
          node: order.node,
          image: { kind: 'file', path: order.path },
          verify: order.verify,
          powerOnAfter: order.powerOnAfter,
        })
        whenAborted(cancel, () => flash.cancel(job.id))
        await flash.idle()
        return flash.list().find((j) => j.id === job.id && finishedPhases.includes(j.phase))!
      } finally {
        stop()
      }
    },
    close: () => client.close(),
  }
}

function whenAborted(signal: AbortSignal, action: () => void): void {
  if (signal.aborted) action()
  else signal.addEventListener('abort', action, { once: true })
}

async function onlyBoard(cli: CliContext) {
  const boards = await cli.call('boards.list', {})
  if (boards.length === 1) return boards[0]!
  throw usage(
    boards.length === 0
      ? 'no board is saved: add one with clusterdeck board add, or name a BMC with --bmc URL --user USER'
      : `several boards are saved (${boards.map((b) => b.name).join(', ')}): choose one with --board NAME`,
  )
}

/** The fingerprint to trust: the one given (which must be what the BMC presents), or on first use what it presents. */
function expectedFingerprint(options: BmcConnectionOptions, presented: string, where: string): string {
  if (!options.fingerprint) return presented
  const expected = normalizeFingerprint(options.fingerprint)
  if (expected === null)
    throw usage('--fingerprint is not a SHA-256 fingerprint (64 hex digits, colons optional)')
  if (expected !== presented) {
    throw new AppError(
      'bmc_certificate_changed',
      `The BMC at ${where} presents certificate ${presented}, not the ${expected} you gave.`,
      'Check that the address is your board and that the fingerprint is current (it changes after a BMC firmware upgrade).',
      { expected, actual: presented },
    )
  }
  return expected
}

function parseWith<T>(
  schema: {
    safeParse(
      value: unknown,
    ): { success: true; data: T } | { success: false; error: { issues: Array<{ message: string }> } }
  },
  value: string,
  flag: string,
): T {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw usage(`${flag} ${parsed.error.issues[0]?.message ?? 'is not valid'}`)
  return parsed.data
}
