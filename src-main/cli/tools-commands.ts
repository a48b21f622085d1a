// `clusterdeck tools …`: the external binaries the core drives — what is found and in use, install
// a pinned official release (verified), the path a step would run, and your own binary.
import type { Command } from 'commander'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { toolNameSchema, type ToolStatus } from '../../src-shared/contract/tools.ts'
import { formatBytes, formatDuration, type ByteProgress } from '../../src-shared/progress/progress.ts'
import { usage } from './cli-io.ts'
import type { CliContext } from './main.ts'

function toolName(value: string) {
  const parsed = toolNameSchema.safeParse(value)
  if (!parsed.success) throw usage(`unknown tool "${value}": one of ${toolNameSchema.options.join(', ')}`)
  return parsed.data
}

export function registerToolsCommands(program: Command, cli: CliContext): void {
  const tools = program.command('tools').description('the external tools Clusterdeck runs: talosctl, helm')
  const out = (text: string) => void cli.io.stdout.write(`${text}\n`)

  tools
    .command('list')
    .description('each tool: the binary in use, every one found, the pinned releases')
    .option('--for <version>', 'the Talos version talosctl must match (default: the newest pin)')
    .option('--json', 'print JSON')
    .action(async (options: { for?: string; json?: boolean }) => {
      const statuses = await cli.call('tools.list', options.for ? { forVersion: options.for } : {})
      if (options.json) return out(JSON.stringify(statuses, null, 2))
      for (const status of statuses) out(describeTool(status))
    })

  tools
    .command('install <tool>')
    .description('download, verify (SHA-256) and install a pinned official release')
    .option('--version <version>', 'a pinned version (default: the newest pin)')
    .option('--for <version>', 'the pinned talosctl that fits this Talos version')
    .action(async (name: string, options: { version?: string; for?: string }) => {
      const tool = toolName(name)
      const stderr = cli.io.stderr
      let lastLine = 0
      const stop = cli.core().events.on('tools.progress', ({ progress, state, version }) => {
        if (state !== 'downloading' || progress.bytesDone === 0 || Date.now() - lastLine < 1000) return
        lastLine = Date.now()
        stderr.write(`downloading ${tool} ${version}: ${describeBytes(progress)}\n`)
      })
      try {
        const installed = await cli.call('tools.install', {
          tool,
          ...(options.version ? { version: options.version } : {}),
          ...(options.for ? { forVersion: options.for } : {}),
        })
        out(`${tool} ${installed.version} installed and verified: ${installed.path}`)
      } finally {
        stop()
      }
    })

  tools
    .command('path <tool>')
    .description('the binary a step would run, and where it comes from')
    .option('--for <version>', 'the Talos version talosctl must match')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { for?: string; json?: boolean }) => {
      const tool = toolName(name)
      const statuses = await cli.call('tools.list', options.for ? { forVersion: options.for } : {})
      const status = statuses.find((entry) => entry.name === tool)!
      if (!status.active)
        throw new AppError('tool_missing', status.problem ?? `no ${tool} found`, status.hint)
      if (options.json) return out(JSON.stringify(status.active))
      out(status.active.path)
    })

  tools
    .command('remove <tool> <version>')
    .description('delete a release installed by Clusterdeck')
    .action(async (name: string, version: string) => {
      await cli.call('tools.remove', { tool: toolName(name), version })
      out(`${name} ${version} removed`)
    })

  tools
    .command('set-path <tool> [path]')
    .description('use your own binary for a tool (without a path: forget it)')
    .action(async (name: string, path: string | undefined) => {
      await cli.call('tools.setPath', { tool: toolName(name), path: path ?? null })
      out(path ? `${name}: using ${path}` : `${name}: no configured path`)
    })
}

function describeBytes(progress: ByteProgress): string {
  const parts = [
    formatBytes(progress.bytesDone) + (progress.bytesTotal ? ` of ${formatBytes(progress.bytesTotal)}` : ''),
  ]
  if (progress.bytesPerSecond > 0) parts.push(`${(progress.bytesPerSecond / 1e6).toFixed(1)} MB/s`)
  if (progress.etaSeconds !== null) parts.push(`ETA ${formatDuration(progress.etaSeconds)}`)
  return parts.join(', ')
}

const sourceWords = {
  configured: 'your configured path',
  path: 'found on PATH',
  managed: 'installed by Clusterdeck',
}

function describeTool(status: ToolStatus): string {
  const lines = [
    status.active
      ? `${status.name}: ${status.active.version} at ${status.active.path} (${sourceWords[status.active.source]})`
      : `${status.name}: none that fits — ${status.problem}\n  hint: ${status.hint}`,
  ]
  for (const found of status.found) {
    if (found.path === status.active?.path) continue
    lines.push(
      `  also ${found.path}: ${found.version ?? 'version unknown'}` +
        (found.fits ? '' : ' (does not fit)') +
        ` — ${sourceWords[found.source]}`,
    )
  }
  lines.push(
    `  pinned: ${status.pinned.map((pin) => pin.version + (pin.availableForThisMachine ? '' : ' (not for this machine)')).join(', ')}`,
  )
  return lines.join('\n')
}
