// `clusterdeck profile list|show|validate|import|export|new|remove`: cluster profiles.
import { existsSync } from 'node:fs'
import type { Command } from 'commander'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { ProfileIssue } from '../../src-shared/profiles/validate-profile.ts'
import { readProfileFile, writeProfileFile } from '../profiles/profile-file.ts'
import { confirm } from './cli-io.ts'
import type { CliContext } from './main.ts'

export function registerProfileCommands(program: Command, cli: CliContext): void {
  const profile = program.command('profile').description('cluster profiles: the cluster described once')
  const out = (text: string) => void cli.io.stdout.write(`${text}\n`)
  const printIssues = (issues: ProfileIssue[]) => {
    for (const issue of issues) {
      cli.io.stderr.write(
        `${issue.severity === 'error' ? 'error' : 'warning'}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}\n`,
      )
    }
  }

  profile
    .command('list')
    .description('the saved profiles')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const profiles = await cli.call('profiles.list', {})
      if (options.json) return out(JSON.stringify(profiles, null, 2))
      if (profiles.length === 0) {
        return out(
          'No profiles saved. Start from a template: clusterdeck profile new --template talos-rk1-longhorn --name lab --board BOARD',
        )
      }
      for (const saved of profiles) {
        const nodes = saved.profile.nodes
        out(
          `${saved.name.padEnd(20)} ${saved.distribution.padEnd(6)} ${nodes.length} node(s) on ${[...new Set(nodes.map((n) => n.board))].join(', ')}`,
        )
      }
    })

  profile
    .command('show')
    .description('one profile, as YAML (or JSON)')
    .argument('<profile>', 'name or id')
    .option('--json', 'print JSON')
    .action(async (ref: string, options: { json?: boolean }) => {
      if (options.json) return out(JSON.stringify(await cli.call('profiles.get', { ref }), null, 2))
      cli.io.stdout.write((await cli.call('profiles.exportYaml', { ref })).yaml)
    })

  profile
    .command('validate')
    .description('check a profile file (or a saved profile) and list every problem')
    .argument('<file-or-profile>', 'a YAML file, or the name of a saved profile')
    .action(async (target: string) => {
      const yaml = existsSync(target)
        ? readProfileFile(target)
        : (await cli.call('profiles.exportYaml', { ref: target })).yaml
      const { valid, issues } = await cli.call('profiles.validate', { yaml })
      printIssues(issues)
      if (!valid) {
        throw new AppError(
          'invalid_input',
          `${target} is not a valid profile (${issues.filter((i) => i.severity === 'error').length} error(s)).`,
        )
      }
      out(`${target} is valid${issues.length ? ` (${issues.length} warning(s))` : ''}.`)
    })

  profile
    .command('import')
    .description('read a profile from a YAML file, validate it and save it (replacing one of the same name)')
    .argument('<file>', 'the YAML file')
    .action(async (file: string) => {
      const { saved, warnings } = await cli.call('profiles.importYaml', {
        yaml: readProfileFile(file),
        onConflict: 'replace',
      })
      printIssues(warnings)
      out(`Saved profile "${saved.name}" (${saved.distribution}, ${saved.profile.nodes.length} nodes).`)
    })

  profile
    .command('export')
    .description('write a profile as YAML (no secrets) to stdout or a file')
    .argument('<profile>', 'name or id')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(async (ref: string, options: { output?: string }) => {
      const { yaml } = await cli.call('profiles.exportYaml', { ref })
      if (!options.output) return void cli.io.stdout.write(yaml)
      writeProfileFile(options.output, yaml)
      out(`Wrote ${options.output}.`)
    })

  profile
    .command('new')
    .description('create a profile from a template')
    .requiredOption('--template <template>', 'talos-rk1-longhorn or k3s-rk1-armbian')
    .requiredOption('--name <name>', 'the cluster name')
    .requiredOption('--board <board>', 'the saved board the four nodes sit on')
    .action(async (options: { template: string; name: string; board: string }) => {
      const { saved, warnings } = await cli.call('profiles.fromTemplate', {
        template: options.template as 'talos-rk1-longhorn',
        name: options.name,
        board: options.board,
      })
      printIssues(warnings)
      out(
        `Created profile "${saved.name}" from ${options.template}. Review it with: clusterdeck profile show ${saved.name}`,
      )
    })

  profile
    .command('remove')
    .description('delete a saved profile (its runs stay in the history)')
    .argument('<profile>', 'name or id')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (ref: string, options: { yes?: boolean }) => {
      const saved = await cli.call('profiles.get', { ref })
      if (!options.yes && !(await confirm(cli.io, `Delete profile "${saved.name}"?`))) {
        throw new AppError(
          'invalid_input',
          `Profile "${saved.name}" was not deleted.`,
          'Confirm at the prompt, or pass --yes when running without a terminal.',
        )
      }
      await cli.call('profiles.remove', { id: saved.id })
      out(`Deleted profile "${saved.name}".`)
    })
}
