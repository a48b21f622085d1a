// `clusterdeck bmc info|power|usb|uart|reboot|flash`: the board's BMC from the command line, node
// numbers 1–4 as printed on the board. A terminal user is asked before anything destructive
// (--yes skips it); scripts without a terminal are not blocked, as with tpi.
import type { Command } from 'commander'
import { InvalidArgumentError, Option } from 'commander'
import { nodeNumbers, parseNodeNumber, type NodeNumber } from '../../src-shared/bmc/node-number.ts'
import type { UsbMode } from '../../src-shared/bmc/bmc-schemas.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { formatBytes, formatDuration } from '../../src-shared/progress/progress.ts'
import type { BmcConnectionOptions, BmcTarget } from './bmc-target.ts'
import { confirm } from './cli-io.ts'
import { createFlashProgressPrinter } from './flash-progress-printer.ts'
import type { CliContext } from './main.ts'

export function registerBmcCommands(program: Command, cli: CliContext): void {
  const bmc = program
    .command('bmc')
    .description('control a Turing Pi board through its BMC')
    .option('--board <name>', 'a saved board (its password comes from the keychain)')
    .option('--bmc <url>', 'a BMC address instead of a saved board, e.g. https://192.168.1.90')
    .option('--user <user>', 'BMC user, with --bmc', 'root')
    .option(
      '--password-stdin',
      'read the BMC password from stdin, with --bmc (else CLUSTERDECK_BMC_PASSWORD)',
    )
    .option('--fingerprint <sha256>', "the BMC certificate's expected SHA-256 fingerprint")
    .option(
      '--trust-on-first-use',
      'trust the certificate the BMC presents now and remember it for a saved board',
    )
  const out = (text: string) => void cli.io.stdout.write(`${text}\n`)

  /** Opens the target from the bmc options, runs the action, always closes. */
  const withTarget =
    <A extends unknown[]>(action: (this: Command, target: BmcTarget, ...args: A) => Promise<void>) =>
    async (...args: [...A, Record<string, unknown>, Command]) => {
      const command = args.at(-1) as Command
      // Loaded here, not at start-up: the BMC client and its HTTP stack serve only these commands.
      const { openBmcTarget } = await import('./bmc-target.ts')
      const target = await openBmcTarget(cli, command.optsWithGlobals<BmcConnectionOptions>()).catch(
        addCliHint,
      )
      try {
        await action.call(command, target, ...(args.slice(0, -2) as unknown as A)).catch(addCliHint)
      } finally {
        await target.close()
      }
    }
  const opts = (command: Command) => command.opts()

  bmc
    .command('info')
    .description('firmware, addresses, storage, SD card and cooling')
    .option('--json', 'print JSON')
    .action(
      withTarget(async function (this: Command, target) {
        const info = await target.info()
        if (opts(this).json) return out(JSON.stringify(info, null, 2))
        const f = info.firmware
        out(`BMC of ${target.label}`)
        out(`  firmware:  ${f.release} (bmcd ${f.daemon})${f.buildTime ? `, built ${f.buildTime}` : ''}`)
        if (f.boardModel) out(`  board:     ${f.boardModel} ${f.boardRevision ?? ''}`.trimEnd())
        if (f.hostname) out(`  hostname:  ${f.hostname}`)
        for (const a of info.addresses) out(`  address:   ${a.ip} (${a.device}, ${a.mac})`)
        for (const s of info.storage)
          out(`  storage:   ${s.name} ${formatBytes(s.freeBytes)} free of ${formatBytes(s.totalBytes)}`)
        out(
          `  SD card:   ${info.sdCard ? `${formatBytes(info.sdCard.freeBytes)} free of ${formatBytes(info.sdCard.totalBytes)}` : 'none'}`,
        )
        for (const c of info.cooling) out(`  cooling:   ${c.device} at ${c.speed} of ${c.maxSpeed}`)
      }),
    )

  const power = bmc.command('power').description('node power: status, on, off, reset')
  power
    .command('status')
    .description("each node's power, module and uptime")
    .option('--json', 'print JSON')
    .action(
      withTarget(async function (this: Command, target) {
        const { nodes } = await target.status()
        if (opts(this).json) return out(JSON.stringify(nodes, null, 2))
        for (const n of nodes) {
          const state = n.poweredOn === null ? 'unknown' : n.poweredOn ? 'on' : 'off'
          const uptime = n.uptimeSeconds === null ? '' : `  up ${formatDuration(n.uptimeSeconds)}`
          out(`node ${n.node}  ${state.padEnd(7)}${n.moduleName ?? ''}${uptime}`.trimEnd())
        }
      }),
    )
  for (const action of ['on', 'off', 'reset'] as const) {
    power
      .command(action)
      .description(
        action === 'reset' ? 'power-cycle one node' : `power one node ${action}, or all nodes without --node`,
      )
      .addOption(nodeOption(action === 'reset'))
      .option('-y, --yes', 'do not ask for confirmation')
      .action(
        withTarget(async function (this: Command, target) {
          const { node, yes } = opts(this) as { node?: NodeNumber; yes?: boolean }
          const what = node ? `node ${node}` : 'all nodes'
          if (action !== 'on')
            await confirmOrStop(
              `${action === 'off' ? 'Power off' : 'Power-cycle'} ${what} of ${target.label}?`,
              yes,
            )
          await target.power({ target: node ?? 'all', action })
          out(`${what}: ${action === 'reset' ? 'power-cycled' : `powered ${action}`}`)
        }),
      )
  }

  const usb = bmc.command('usb').description("a node's USB role: status, host, device, flash")
  usb
    .command('status')
    .option('--json', 'print JSON')
    .action(
      withTarget(async function (this: Command, target) {
        const { usb: state } = await target.status()
        if (opts(this).json) return out(JSON.stringify(state, null, 2))
        out(
          `node ${state.node}: ${state.mode}, routed to ${state.route === 'bmc' ? 'the BMC' : 'the USB-A port'}${state.busType ? ` (${state.busType})` : ''}`,
        )
      }),
    )
  for (const mode of ['host', 'device', 'flash'] as const satisfies readonly UsbMode[]) {
    usb
      .command(mode)
      .description(`make a node USB ${mode}`)
      .addOption(nodeOption(true))
      .option('--bmc-route', "route the node's USB to the BMC instead of the USB-A port")
      .action(
        withTarget(async function (this: Command, target) {
          const { node, bmcRoute } = opts(this) as { node: NodeNumber; bmcRoute?: boolean }
          await target.usb({ node, mode, route: bmcRoute ? 'bmc' : 'usb-a' })
          out(`node ${node}: USB ${mode}`)
        }),
      )
  }

  const uart = bmc.command('uart').description("a node's serial console")
  uart
    .command('read')
    .description('print the console text the BMC holds (--follow: keep printing what arrives)')
    .addOption(nodeOption(true))
    .option('-f, --follow', 'keep reading until interrupted')
    .action(
      withTarget(async function (this: Command, target) {
        const { node, follow } = opts(this) as { node: NodeNumber; follow?: boolean }
        let since = 0
        for (;;) {
          const read = await target.readUart({ node, since })
          if (read.gap && since > 0) cli.io.stdout.write('\n[… some console output was lost …]\n')
          cli.io.stdout.write(read.text)
          since = read.offset
          if (!follow) return
          await new Promise((resolve) => setTimeout(resolve, 1000))
        }
      }),
    )
  uart
    .command('send')
    .description('type a line into the console (the BMC adds CR LF)')
    .addOption(nodeOption(true))
    .argument('<line>', 'the text to send')
    .action(
      withTarget(async function (this: Command, target, line: string) {
        const { node } = opts(this) as { node: NodeNumber }
        await target.sendUart({ node, line })
      }),
    )

  bmc
    .command('reboot')
    .description('reboot the BMC (nodes may lose power until it is back)')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(
      withTarget(async function (this: Command, target) {
        await confirmOrStop(
          `Reboot the BMC of ${target.label}? Nodes may lose power until it is back.`,
          opts(this).yes,
        )
        await target.reboot()
        out('The BMC is rebooting.')
      }),
    )

  bmc
    .command('flash')
    .description("write a disk image to a node's eMMC (raw, or .xz/.gz/.zst/.zip, unpacked first)")
    .addOption(nodeOption(true))
    .argument('<image>', 'the image file')
    .option('--no-verify', 'skip the BMC’s read-back check (about twice as fast)')
    .option('--no-power-on', 'leave the node off when done')
    .option('--json', 'print the result as JSON on stdout')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(
      withTarget(async function (this: Command, target, image: string) {
        const { node, verify, powerOn, json, yes } = opts(this) as {
          node: NodeNumber
          verify: boolean
          powerOn: boolean
          json?: boolean
          yes?: boolean
        }
        await confirmOrStop(`Overwrite the eMMC of node ${node} on ${target.label} with ${image}?`, yes)
        const printer = createFlashProgressPrinter(cli.io.stderr)
        // Ctrl-C cancels the flash on the BMC too, rather than leaving its transfer running.
        const interrupted = new AbortController()
        const interrupt = () => interrupted.abort()
        process.once('SIGINT', interrupt)
        const job = await target
          .flash(
            { node, path: image, verify, powerOnAfter: powerOn },
            (update) => printer.update(update),
            interrupted.signal,
          )
          .finally(() => process.off('SIGINT', interrupt))
        printer.finish()
        const seconds =
          job.startedAt && job.finishedAt
            ? (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000
            : 0
        if (json) {
          out(
            JSON.stringify(
              {
                target: target.label,
                node,
                image: { name: job.imageName, sha256: job.imageSha256, sizeBytes: job.imageSizeBytes },
                outcome: job.phase,
                verified: job.verified,
                poweredOn: job.phase === 'done' && job.powerOnAfter,
                failedPhase: job.failedPhase,
                message: job.message,
                durationSeconds: seconds,
              },
              null,
              2,
            ),
          )
        }
        if (job.phase === 'cancelled') {
          // The user's own Ctrl-C: nothing to fix, only the state the node is left in to know.
          throw new AppError(
            'cancelled',
            `Flash of node ${node} cancelled during ${job.failedPhase}.`,
            job.message ?? undefined,
          )
        }
        if (job.phase !== 'done') {
          throw new AppError(
            'bmc_error',
            `Flash of node ${node} failed during ${job.failedPhase}: ${job.message}`,
          )
        }
        if (!json) cli.io.stderr.write(`Node ${node} flashed in ${formatDuration(seconds)}: ${job.message}\n`)
      }),
    )

  async function confirmOrStop(question: string, yes: boolean | undefined): Promise<void> {
    if (yes || !cli.io.stdin.isTTY) return
    if (!(await confirm(cli.io, question)))
      throw new AppError('cancelled', 'Nothing was done.', 'Answer y to go ahead, or pass --yes.')
  }
}

function nodeOption(required: boolean): Option {
  const option = new Option('-n, --node <n>', 'node number 1–4, as printed on the board').argParser(
    (value) => {
      const node = parseNodeNumber(value)
      if (node === null) throw new InvalidArgumentError(`expected ${nodeNumbers.join(', ')}`)
      return node
    },
  )
  return required ? option.makeOptionMandatory() : option
}

/** Certificate errors in the CLI say which flag settles them. */
function addCliHint(error: unknown): never {
  const certificateError =
    error instanceof AppError &&
    (error.code === 'bmc_certificate_untrusted' || error.code === 'bmc_certificate_changed')
  if (certificateError && !error.hint?.includes('--fingerprint')) {
    const fingerprint = error.details?.actual ?? 'SHA256'
    // A changed certificate is never accepted on first-use terms: only the fingerprint, checked.
    const flags =
      error.code === 'bmc_certificate_changed'
        ? `after checking the new fingerprint on the BMC, pass --fingerprint ${fingerprint}.`
        : `--fingerprint ${fingerprint} (after checking it), or --trust-on-first-use.`
    throw new AppError(
      error.code,
      error.message,
      `${error.hint ?? ''} From the command line: ${flags}`.trim(),
      error.details,
    )
  }
  throw error
}
