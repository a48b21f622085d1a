// `clusterdeck image schematic-id|factory-url`: Talos Image Factory schematics from files. The ID is
// computed offline exactly as the factory computes it; the factory is asked only when the offline
// bytes are not certain (or never, with --offline). stdout carries only the answer.
import type { Command } from 'commander'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { canonicalSchematic, normalizeSchematic, sha256Hex } from '../../src-shared/talos/schematic.ts'
import { readSchematicFile } from '../images/schematic-file.ts'
import type { CliContext } from './main.ts'

interface IdOptions {
  offline?: boolean
  normalize?: boolean
}

interface UrlOptions extends IdOptions {
  schematic: string
  talos: string
  arch: string
  platform: string
  installer?: boolean
  json?: boolean
}

export function registerImageFactoryCommands(image: Command, cli: CliContext): void {
  const out = (text: string) => void cli.io.stdout.write(`${text}\n`)
  const note = (text: string) => void cli.io.stderr.write(`clusterdeck: ${text}\n`)

  image
    .command('schematic-id')
    .description('the Image Factory schematic ID of a schematic file (YAML or JSON), computed offline')
    .argument('<file>', 'the schematic file')
    .option('--normalize', "sort extensions and split kernel arguments as the factory's web UI does")
    .option('--offline', 'never ask the factory, even when the offline ID is not certain')
    .action(async (file: string, options: IdOptions) => {
      const resolved = await resolveFile(cli, file, options)
      out(resolved.effectiveId)
      reportDoubts(resolved, note)
      if (!options.normalize) {
        const ui = await sha256Hex(canonicalSchematic(normalizeSchematic(resolved.schematic)).yaml)
        if (ui !== resolved.id) {
          note(
            `the factory's web UI would sort the extensions and split the kernel arguments: ${ui} (--normalize)`,
          )
        }
      }
    })

  image
    .command('factory-url')
    .description('the Image Factory download URL (line 1) and installer image (line 2) of a schematic file')
    .requiredOption('--schematic <file>', 'the schematic file (YAML or JSON)')
    .requiredOption('--talos <version>', 'the Talos version, e.g. v1.9.2')
    .requiredOption('--arch <arch>', 'amd64 or arm64 (boards with an overlay: arm64)')
    .option('--platform <platform>', 'the Talos platform', 'metal')
    .option('--installer', 'print only the installer image reference')
    .option('--normalize', "sort extensions and split kernel arguments as the factory's web UI does")
    .option('--offline', 'never ask the factory, even when the offline ID is not certain')
    .option('--json', 'print the whole answer as JSON')
    .action(async (options: UrlOptions) => {
      if (options.arch !== 'amd64' && options.arch !== 'arm64') {
        throw new AppError('invalid_input', `--arch must be amd64 or arm64, not "${options.arch}"`)
      }
      const resolved = await resolveFile(cli, options.schematic, options, {
        talosVersion: options.talos,
        arch: options.arch,
        platform: options.platform,
      })
      if (options.json) return out(JSON.stringify(resolved, null, 2))
      if (!options.installer) out(resolved.imageUrl!)
      out(resolved.installerImage!)
      reportDoubts(resolved, note)
    })
}

async function resolveFile(
  cli: CliContext,
  file: string,
  options: IdOptions,
  target: { talosVersion?: string; arch?: 'amd64' | 'arm64'; platform?: string } = {},
) {
  const decoded = await readSchematicFile(file)
  const schematic = options.normalize ? normalizeSchematic(decoded.schematic) : decoded.schematic
  // A doubt in reading the file (e.g. an option value go-yaml retypes) also needs the factory.
  const confirm = options.offline ? 'never' : decoded.uncertain.length > 0 ? 'always' : 'if-uncertain'
  const resolved = await cli.call('factory.schematic.resolve', { schematic, confirm, ...target })
  return { ...resolved, schematic, uncertain: [...decoded.uncertain, ...resolved.uncertain] }
}

function reportDoubts(
  resolved: {
    uncertain: string[]
    confirmedId: string | null
    mismatch: boolean
    factoryProblem: string | null
    id: string
  },
  note: (text: string) => void,
): void {
  if (resolved.mismatch) {
    note(
      `the factory computed ${resolved.confirmedId}, not the offline ${resolved.id}; the factory's ID is printed`,
    )
  }
  if (resolved.uncertain.length > 0 && resolved.confirmedId === null) {
    note(`this ID may differ from the factory's: ${resolved.uncertain.join('; ')}`)
    if (resolved.factoryProblem) note(`the factory could not confirm it: ${resolved.factoryProblem}`)
  }
}
