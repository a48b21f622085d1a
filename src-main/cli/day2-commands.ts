// The day-2 commands (docs/upgrades.md, docs/backups.md, docs/destroy.md), each a run of its
// operation's plan on the same engine as a deploy, with the same timeline as text:
//   clusterdeck upgrade PROFILE [--talos V | --k3s V] [--kubernetes V] [--addons] [--dry-run] [--resume [RUN_ID]]
//   clusterdeck backup PROFILE [--keep N] [--secrets-to FILE (--age-recipient R | --passphrase-stdin) [--secrets-only]]
//   clusterdeck backup verify FILE (--passphrase-stdin | --identity FILE)
//   clusterdeck restore PROFILE --snapshot FILE [--secrets FILE (--passphrase-stdin | --identity FILE)] [--through PHASE]
//   clusterdeck destroy PROFILE --confirm NAME [--wipe-nvme] [--wipe-emmc] [--keep-addons] [--backup-first] [--dry-run] [--resume [RUN_ID]]
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { Option, type Command } from 'commander'
import { AppError } from '../../src-shared/contract/app-error.ts'
import {
  operationPhases,
  type OperationId,
  type OperationOptions,
  type PhaseId,
} from '../../src-shared/lifecycle/plan.ts'
import { writePrivateFile } from '../clusters/private-file.ts'
import { readStdinSecret } from './cli-io.ts'
import { followRun, printPlan, resumeRun } from './deploy-command.ts'
import type { CliContext } from './main.ts'

interface RunFlags {
  dryRun?: boolean
  resume?: boolean | string
}

async function runOperation(
  cli: CliContext,
  ref: string,
  operation: OperationId,
  flags: RunFlags,
  options: OperationOptions,
  confirm?: string,
  throughPhase?: PhaseId,
): Promise<void> {
  const out = (text: string) => void cli.io.stdout.write(`${text}\n`)
  if (flags.dryRun) {
    const { plan, runnablePhases, refusal } = await cli.call('lifecycle.plan', {
      profile: ref,
      operation,
      options,
    })
    printPlan(out, plan, runnablePhases)
    if (refusal)
      out(`\nA start would be refused: ${refusal.message}${refusal.hint ? `\n${refusal.hint}` : ''}`)
    return
  }
  await followRun(
    cli,
    () =>
      flags.resume
        ? resumeRun(cli, ref, typeof flags.resume === 'string' ? flags.resume : undefined, operation)
        : cli.call('lifecycle.start', {
            profile: ref,
            operation,
            options,
            ...(confirm === undefined ? {} : { confirm }),
            ...(throughPhase ? { throughPhase } : {}),
          }),
    (run) => `clusterdeck ${operation} ${run.profileName} --resume ${run.id}`,
  )
}

const resumeHelp = 'continue the latest run of this operation (or the run given), skipping what is in place'

export function registerDay2Commands(program: Command, cli: CliContext): void {
  registerRestoreCommand(program, cli)
  program
    .command('upgrade')
    .description('upgrade a cluster node by node (control planes first), after an etcd snapshot')
    .argument('<profile>', 'the profile of a deployed cluster')
    .option('--talos <version>', 'the Talos version to move to (one minor release at most)')
    .option('--k3s <version>', 'the K3s release to move to, such as v1.33.4+k3s1 (one minor release at most)')
    .option('--kubernetes <version>', 'then upgrade Kubernetes (talosctl upgrade-k8s)')
    .option('--addons', 'then bring every enabled add-on to the catalogue’s pinned chart')
    .option('--dry-run', 'show the plan and change nothing')
    .option('--resume [runId]', resumeHelp)
    .action(
      async (
        ref: string,
        flags: RunFlags & { talos?: string; k3s?: string; kubernetes?: string; addons?: boolean },
      ) =>
        await runOperation(cli, ref, 'upgrade', flags, {
          ...(flags.addons ? { addons: true } : {}),
          ...(flags.talos ? { talosVersion: normalized(flags.talos) } : {}),
          ...(flags.k3s ? { k3sVersion: normalized(flags.k3s) } : {}),
          ...(flags.kubernetes ? { kubernetesVersion: normalized(flags.kubernetes) } : {}),
        }),
    )

  const backup = program
    .command('backup')
    .description('snapshot etcd into the data directory; optionally export the secrets, encrypted')
    .argument('<profile>', 'the profile of a deployed cluster')
    .option('--keep <count>', 'snapshots to keep (the oldest are deleted)', (v) => Number(v))
    .option('--secrets-to <file>', 'also write the cluster’s secrets there, encrypted with age')
    .option('--age-recipient <recipient>', 'encrypt the secrets to this age public key (age1…)')
    .option('--passphrase-stdin', 'encrypt the secrets to a passphrase read from stdin')
    .option('--secrets-only', 'with --secrets-to: export the secrets without taking a snapshot')
    .option('--dry-run', 'show the plan and change nothing')
    .option('--resume [runId]', resumeHelp)
    .action(
      async (
        ref: string,
        flags: RunFlags & {
          keep?: number
          secretsTo?: string
          ageRecipient?: string
          passphraseStdin?: boolean
          secretsOnly?: boolean
        },
      ) => {
        if (flags.secretsOnly && !flags.secretsTo)
          throw new AppError('invalid_input', '--secrets-only goes with --secrets-to FILE.')
        const to = flags.secretsTo ? await exportKey(cli, flags) : undefined
        if (!flags.secretsOnly)
          await runOperation(cli, ref, 'backup', flags, flags.keep ? { retention: flags.keep } : {})
        if (!flags.secretsTo || !to || flags.dryRun) return
        const exported = await cli.call('clusters.exportSecrets', { ref, to })
        writePrivateFile(flags.secretsTo, exported.content, { replace: false })
        cli.io.stdout.write(
          `Secrets (${exported.names.join(', ')}) written to ${flags.secretsTo}, encrypted with age to ${'passphrase' in to ? 'the passphrase' : to.ageRecipient}\n`,
        )
      },
    )
  backup
    .command('verify')
    .description('decrypt a secrets export and check what it holds (the secrets are not printed)')
    .argument('<file>', 'the file backup --secrets-to wrote')
    .option('--passphrase-stdin', 'the passphrase, read from stdin')
    .option('--identity <file>', 'an age identity file (AGE-SECRET-KEY-1…)')
    .action(async (file: string, _options: unknown, command: Command) => {
      // `backup` has a --passphrase-stdin of its own, which commander hands to the parent.
      const flags = command.optsWithGlobals<{ passphraseStdin?: boolean; identity?: string }>()
      if (!flags.passphraseStdin === !flags.identity)
        throw new AppError('invalid_input', 'Give exactly one of --passphrase-stdin and --identity FILE.')
      const key = flags.identity
        ? { identity: identityIn(readFileSync(flags.identity, 'utf8')) }
        : { passphrase: await readStdinSecret(cli.io.stdin) }
      // Loaded when it runs: age-encryption has no place in every command's start-up.
      const { verifySecretsExport } = await import('../day2/secrets-export.ts')
      const summary = await verifySecretsExport(readFileSync(file, 'utf8'), key)
      cli.io.stdout.write(
        `OK: the secrets of "${summary.cluster}" (${summary.distribution}), exported ${summary.createdAt}: ${summary.names.join(', ')}\n`,
      )
    })

  program
    .command('destroy')
    .description('uninstall the add-ons, wipe every node and power it off; forget the cluster’s secrets')
    .argument('<profile>', 'the profile of a deployed cluster')
    .option('--confirm <name>', 'the cluster’s name, typed: required to start')
    .option('--wipe-nvme', 'wipe each node’s NVMe drive (its data volume) too')
    .option(
      '--wipe-emmc',
      'K3s: wipe each node’s eMMC (its boot device) too; the nodes boot nothing until re-flashed',
    )
    .option('--keep-addons', 'do not uninstall the add-ons first (a cluster whose API is gone)')
    .option('--backup-first', 'snapshot etcd first and keep the secrets and backups for a restore')
    .option('--dry-run', 'show the plan (what each node loses) and change nothing')
    .option('--resume [runId]', resumeHelp)
    .action(
      async (
        ref: string,
        flags: RunFlags & {
          confirm?: string
          wipeNvme?: boolean
          wipeEmmc?: boolean
          backupFirst?: boolean
          keepAddons?: boolean
        },
      ) => {
        await runOperation(
          cli,
          ref,
          'destroy',
          flags,
          {
            ...(flags.wipeNvme ? { wipeNvme: true } : {}),
            ...(flags.wipeEmmc ? { wipeEmmc: true } : {}),
            ...(flags.keepAddons ? { keepAddons: true } : {}),
            ...(flags.backupFirst ? { backupFirst: true } : {}),
          },
          flags.confirm,
        )
      },
    )
}

/** The restore command: a deploy whose bootstrap recovers etcd from a snapshot (docs/backups.md). */
function registerRestoreCommand(program: Command, cli: CliContext): void {
  program
    .command('restore')
    .description(
      'rebuild a cluster from its profile, its datastore recovered from a snapshot (and the secrets of an export)',
    )
    .argument('<profile>', 'the profile to rebuild the cluster from')
    .option(
      '--snapshot <file>',
      'the snapshot to recover from: etcd’s, or a K3s single server’s state.db (clusterdeck cluster backups lists the kept ones)',
    )
    .option(
      '--secrets <file>',
      'first seal the secrets of this export (backup --secrets-to) into the cluster',
    )
    .option('--passphrase-stdin', 'the export’s passphrase, read from stdin')
    .option('--identity <file>', 'an age identity file that opens the export')
    .addOption(new Option('--through <phase>', 'stop after this phase').choices(operationPhases.restore))
    .option('--dry-run', 'show the plan and change nothing')
    .option('--resume [runId]', resumeHelp)
    .action(
      async (
        ref: string,
        flags: RunFlags & {
          snapshot?: string
          secrets?: string
          passphraseStdin?: boolean
          identity?: string
          through?: PhaseId
        },
      ) => {
        if (!flags.resume && !flags.snapshot)
          throw new AppError(
            'invalid_input',
            'A restore needs --snapshot FILE: the snapshot to recover from (clusterdeck cluster backups PROFILE lists the kept ones).',
          )
        if (flags.secrets && !flags.dryRun && !flags.resume) {
          if (!flags.passphraseStdin === !flags.identity)
            throw new AppError(
              'invalid_input',
              '--secrets needs exactly one of --passphrase-stdin and --identity FILE.',
            )
          const key = flags.identity
            ? { identity: identityIn(readFileSync(flags.identity, 'utf8')) }
            : { passphrase: await readStdinSecret(cli.io.stdin) }
          const imported = await cli.call('clusters.importSecrets', {
            profile: ref,
            content: readFileSync(flags.secrets, 'utf8'),
            key,
          })
          cli.io.stdout.write(
            `Sealed the secrets of "${imported.cluster}" (${imported.names.join(', ')}) into ${ref}\n`,
          )
        }
        await runOperation(
          cli,
          ref,
          'restore',
          flags,
          flags.snapshot ? { restoreSnapshot: resolve(flags.snapshot) } : {},
          undefined,
          flags.through,
        )
      },
    )
}

function normalized(version: string): string {
  return version.startsWith('v') ? version : `v${version}`
}

async function exportKey(
  cli: CliContext,
  flags: { ageRecipient?: string; passphraseStdin?: boolean },
): Promise<{ passphrase: string } | { ageRecipient: string }> {
  if (!flags.ageRecipient === !flags.passphraseStdin) {
    throw new AppError(
      'invalid_input',
      '--secrets-to needs exactly one of --age-recipient R and --passphrase-stdin.',
      'For example: printf %s "$PASSPHRASE" | clusterdeck backup lab --secrets-to lab.age --passphrase-stdin',
    )
  }
  if (flags.ageRecipient) return { ageRecipient: flags.ageRecipient }
  if (cli.io.stdin.isTTY)
    throw new AppError('invalid_input', '--passphrase-stdin expects the passphrase piped in.')
  return { passphrase: await readStdinSecret(cli.io.stdin) }
}

/** The first AGE-SECRET-KEY line of an identity file (age-keygen writes comments above it). */
function identityIn(text: string): string {
  const line = text.split(/\r?\n/).find((l) => l.startsWith('AGE-SECRET-KEY-'))
  if (!line) throw new AppError('invalid_input', 'The identity file holds no AGE-SECRET-KEY line.')
  return line.trim()
}
