// The `clusterdeck` command line: every command goes through the same dispatcher as the app, so
// input is validated and errors are reported exactly as in the UI.
import { Command, CommanderError } from 'commander'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { RequestInput, RequestName, RequestOutput } from '../../src-shared/contract/index.ts'
import { appVersion } from '../core/core-base.ts'
import { createLazyCore, type LazyCore } from '../core/lazy-core.ts'
import { KeyringSecretStore } from '../secrets/keyring-secret-store.ts'
import { resolveDataDir } from '../store/data-dir.ts'
import { registerBmcCommands } from './bmc-commands.ts'
import { registerBoardCommands } from './board-commands.ts'
import { registerClusterCommands } from './cluster-commands.ts'
import { registerDay2Commands } from './day2-commands.ts'
import { registerDeployCommand } from './deploy-command.ts'
import { registerImageCommands } from './image-commands.ts'
import { registerNodeCommands } from './node-commands.ts'
import { registerProfileCommands } from './profile-commands.ts'
import { registerToolsCommands } from './tools-commands.ts'
import { CliExit, passwordEnvVar, printError, processIo, type CliIo } from './cli-io.ts'
import { registerVirtualBoardCommand } from './virtual-board-command.ts'

export interface CliContext {
  io: CliIo
  /** Calls one contract request; throws the typed error on failure. */
  call<N extends RequestName>(name: N, input: RequestInput<N>): Promise<RequestOutput<N>>
  /** The core itself, for commands that follow its events or use its services directly. */
  core(): LazyCore
}

/** Runs the CLI; resolves the exit code (0 success, 1 failure, 2 bad input or usage; a command may say more). */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  // After `--` come a remote command's own words (`node exec … -- cmd --password-file x`).
  const ownArgs = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv
  if (ownArgs.some((arg) => /^--password(=|$)/.test(arg))) {
    printError(io, {
      code: 'invalid_input',
      message:
        'a password is never taken as a flag value: it would show in shell history and the process list',
      hint: `Pipe it with --password-stdin, or set ${passwordEnvVar}.`,
    })
    return 2
  }

  let core: LazyCore | undefined
  const context: CliContext = {
    io,
    core() {
      if (!core) {
        core = createLazyCore({
          dataDir: resolveDataDir(io.env),
          secrets: new KeyringSecretStore({
            launchCommand: ['clusterdeck', ...argv].map(shellWord).join(' '),
          }),
          transport: 'cli',
        })
        if (core.dataDirNotice) io.stderr.write(`clusterdeck: warning: ${core.dataDirNotice}\n`)
      }
      return core
    },
    async call(name, input) {
      const result = await context.core().dispatch(name, input)
      if (!result.ok) throw AppError.fromData(result.error)
      return result.value as RequestOutput<typeof name>
    },
  }

  const program = new Command('clusterdeck')
    .description('Take home-lab Kubernetes clusters on Turing Pi boards through their whole life.')
    .version(appVersion)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
  registerBoardCommands(program, context)
  registerBmcCommands(program, context)
  registerImageCommands(program, context)
  registerProfileCommands(program, context)
  registerDeployCommand(program, context)
  registerDay2Commands(program, context)
  registerClusterCommands(program, context)
  registerNodeCommands(program, context)
  registerToolsCommands(program, context)
  registerVirtualBoardCommand(program, io)

  try {
    await program.parseAsync(argv, { from: 'user' })
    return 0
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2
    }
    if (error instanceof CliExit) return error.exitCode
    if (error instanceof AppError) {
      printError(io, error.toData())
      // A name or file that matches nothing is bad input too, not a failure of Clusterdeck.
      return error.code === 'invalid_input' || error.code === 'not_found' ? 2 : 1
    }
    printError(io, { code: 'internal', message: error instanceof Error ? error.message : String(error) })
    return 1
  } finally {
    await core?.close()
  }
}

/** A word as a POSIX shell reads it back, for commands the CLI prints for the user to run. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'"'"'`)}'`
}
