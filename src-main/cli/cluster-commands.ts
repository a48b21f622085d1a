// `clusterdeck cluster kubeconfig|talosconfig PROFILE`: a bootstrapped cluster's client configs —
// to stdout, to a file of their own (0600, never over an existing one unless --force), or merged
// into the user's ~/.kube/config or ~/.talos/config (docs/cluster-access.md).
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { ConfigKind, MergeOutcome } from '../../src-shared/contract/clusters.ts'
import { writePrivateFile } from '../clusters/private-file.ts'
import { confirm, usage } from './cli-io.ts'
import { registerHealthCommand } from './health-command.ts'
import type { CliContext } from './main.ts'

interface ConfigOptions {
  output?: string
  force?: boolean
  merge?: boolean
  replace?: boolean
  rename?: boolean
}

const defaultFile: Record<ConfigKind, string> = {
  kubeconfig: '~/.kube/config (or the first file in $KUBECONFIG)',
  talosconfig: '~/.talos/config (or $TALOSCONFIG)',
}

const useWith: Record<ConfigKind, (context: string) => string> = {
  kubeconfig: (context) => `kubectl --context ${context} get nodes`,
  talosconfig: (context) => `talosctl --context ${context} version`,
}

export function registerClusterCommands(program: Command, cli: CliContext): void {
  const cluster = program
    .command('cluster')
    .description(
      'a deployed cluster: its kubeconfig and talosconfig (docs/cluster-access.md), its health (docs/cluster-health.md)',
    )
  for (const kind of ['kubeconfig', 'talosconfig'] as const) {
    cluster
      .command(kind)
      .description(`the cluster's ${kind}: to stdout, to a file (-o), or merged into ${defaultFile[kind]}`)
      .argument('<profile>', 'the cluster’s profile name')
      .option('-o, --output <file>', 'write to this file (mode 0600); with --merge, merge into it')
      .option('--force', 'with -o: overwrite the file if it exists')
      .option('--merge', `merge into ${defaultFile[kind]} under a context named after the cluster`)
      .option('--replace', 'with --merge: overwrite another config under the cluster’s name')
      .option(
        '--rename',
        'with --merge: keep another config under the cluster’s name, add this one as <name>-2',
      )
      .action(async (ref: string, options: ConfigOptions) => {
        checkOptions(options)
        if (options.merge) return merge(cli, kind, ref, options)
        const { content } = await cli.call(`clusters.${kind}`, { ref })
        if (!options.output) return void cli.io.stdout.write(content)
        writePrivateFile(options.output, content, { replace: options.force === true })
        cli.io.stdout.write(`Wrote the ${kind} of ${ref} to ${options.output} (mode 0600).\n`)
      })
  }
  registerHealthCommand(cluster, cli)
  cluster
    .command('backups')
    .description('the etcd snapshots kept for the cluster (docs/backups.md), newest first')
    .argument('<profile>', 'the cluster’s profile name')
    .option('--json', 'print JSON')
    .action(async (ref: string, options: { json?: boolean }) => {
      const backups = await cli.call('clusters.backups', { ref })
      if (options.json) return void cli.io.stdout.write(`${JSON.stringify(backups, null, 2)}\n`)
      if (backups.length === 0) return void cli.io.stdout.write(`No snapshots of ${ref} are kept.\n`)
      for (const b of backups)
        cli.io.stdout.write(
          `${b.takenAt}  ${String(b.sizeBytes).padStart(10)} B  sha256 ${b.sha256.slice(0, 16)}…  ${b.node} ${b.version ?? ''}  ${b.file}\n`,
        )
    })
}

function checkOptions(options: ConfigOptions): void {
  if (options.replace && options.rename) throw usage('give --replace or --rename, not both')
  if (!options.merge && (options.replace || options.rename))
    throw usage(`--${options.replace ? 'replace' : 'rename'} goes with --merge`)
  if (options.merge && options.force)
    throw usage('--force is for -o without --merge; to overwrite a context of the same name, use --replace')
}

async function merge(cli: CliContext, kind: ConfigKind, ref: string, options: ConfigOptions): Promise<void> {
  const request = {
    ref,
    kind,
    ...(options.output ? { path: resolve(options.output) } : {}),
  }
  const onConflict = options.replace ? 'replace' : options.rename ? 'rename' : 'refuse'
  let result: { path: string; context: string; outcome: MergeOutcome }
  try {
    result = await cli.call('clusters.mergeConfig', { ...request, onConflict })
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'conflict') throw error
    const context = error.details?.context ?? ref
    const path = error.details?.path ?? defaultFile[kind]
    // On a terminal only: confirm() says no at once without one.
    const asked = await confirm(
      cli.io,
      `${path} already has another context "${context}". Replace it with this cluster's ${kind}?`,
    )
    if (!asked) {
      throw new AppError(
        'conflict',
        `${path} already has another context "${context}": nothing was merged.`,
        `Add --replace to overwrite it, or --rename to keep both (this cluster then goes in as "${context}-2", or the next free name).`,
      )
    }
    result = await cli.call('clusters.mergeConfig', { ...request, onConflict: 'replace' })
  }
  cli.io.stdout.write(`${said(kind, result)}\nUse it with: ${useWith[kind](result.context)}\n`)
}

function said(
  kind: ConfigKind,
  { path, context, outcome }: { path: string; context: string; outcome: MergeOutcome },
): string {
  if (outcome === 'unchanged')
    return `${path} already has this ${kind} as context "${context}": nothing changed.`
  if (outcome === 'replaced') return `Replaced context "${context}" in ${path} with this cluster's ${kind}.`
  if (outcome === 'renamed')
    return `Added this cluster's ${kind} to ${path} as context "${context}" (the name was taken).`
  return `Added this cluster's ${kind} to ${path} as context "${context}".`
}
