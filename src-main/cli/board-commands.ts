// `clusterdeck board add|list|show|edit|remove`.
import type { Command } from 'commander'
import type { Board } from '../../src-shared/boards/board-schemas.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { confirm, formatTable, passwordEnvVar, readPassword, usage } from './cli-io.ts'
import type { CliContext } from './main.ts'

export function registerBoardCommands(program: Command, cli: CliContext): void {
  const board = program.command('board').description('Turing Pi boards and their BMC credentials')
  const print = (text: string): void => {
    cli.io.stdout.write(`${text}\n`)
  }

  board
    .command('add')
    .description('save a board; the BMC password goes to the OS keychain')
    .argument('<name>', 'a name for the board, e.g. rack-1')
    .requiredOption('--address <address>', 'BMC host name or IP address, e.g. turingpi.local or 192.168.1.90')
    .option('--user <user>', 'BMC user', 'root')
    .option(
      '--password-stdin',
      'read the BMC password from stdin (else CLUSTERDECK_BMC_PASSWORD, else a prompt)',
    )
    .action(async (name: string, options: { address: string; user: string; passwordStdin?: boolean }) => {
      const password = await readPassword(cli.io, {
        fromStdin: options.passwordStdin === true,
        required: true,
      })
      const added = await cli.call('boards.add', {
        name,
        address: options.address,
        user: options.user,
        password: password ?? '',
      })
      print(`Added board "${added.name}" (${added.address}); its password is in the keychain.`)
    })

  board
    .command('list')
    .description('list the saved boards')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const boards = await cli.call('boards.list', {})
      if (options.json) return print(JSON.stringify(boards, null, 2))
      if (boards.length === 0)
        return print('No boards saved. Add one with: clusterdeck board add NAME --address HOST')
      print(formatBoards(boards))
    })

  board
    .command('show')
    .description('show one board')
    .argument('<board>', 'name or id')
    .option('--json', 'print JSON')
    .action(async (ref: string, options: { json?: boolean }) => {
      const found = await cli.call('boards.get', { ref })
      print(options.json ? JSON.stringify(found, null, 2) : formatDetails(found))
    })

  board
    .command('edit')
    .description('change a board; options left out stay as they are (the password too)')
    .argument('<board>', 'name or id')
    .option('--name <name>', 'new name')
    .option('--address <address>', 'new BMC address')
    .option('--user <user>', 'new BMC user')
    .option('--password-stdin', 'read a new BMC password from stdin')
    .option('--password-from-env', `take the new BMC password from ${passwordEnvVar}`)
    .action(
      async (
        ref: string,
        options: {
          name?: string
          address?: string
          user?: string
          passwordStdin?: boolean
          passwordFromEnv?: boolean
        },
      ) => {
        const found = await cli.call('boards.get', { ref })
        // The password changes only when asked: a variable left set in the shell must not
        // overwrite it during a rename.
        const password = await readNewPassword(cli.io, options)
        const updated = await cli.call('boards.update', {
          id: found.id,
          name: options.name,
          address: options.address,
          user: options.user,
          password,
        })
        print(
          `Updated board "${updated.name}"${password === undefined ? '' : '; its new password is in the keychain'}.`,
        )
      },
    )

  board
    .command('remove')
    .description('forget a board and delete its password from the keychain')
    .argument('<board>', 'name or id')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (ref: string, options: { yes?: boolean }) => {
      const found = await cli.call('boards.get', { ref })
      if (!options.yes && !(await confirm(cli.io, `Remove board "${found.name}" and its keychain entry?`))) {
        throw new AppError(
          'invalid_input',
          `Board "${found.name}" was not removed.`,
          'Confirm at the prompt, or pass --yes when running without a terminal.',
        )
      }
      const removed = await cli.call('boards.remove', { id: found.id })
      print(`Removed board "${removed.name}" and its keychain entry.`)
    })
}

function formatBoards(boards: Board[]): string {
  return formatTable([['NAME', 'ADDRESS', 'USER', 'PASSWORD'], ...boards.map(boardRow)])
}

async function readNewPassword(
  io: CliContext['io'],
  options: { passwordStdin?: boolean; passwordFromEnv?: boolean },
): Promise<string | undefined> {
  if (options.passwordStdin && options.passwordFromEnv)
    throw usage('give the new password one way: --password-stdin or --password-from-env')
  if (options.passwordStdin) return readPassword(io, { fromStdin: true, required: true })
  if (!options.passwordFromEnv) return undefined
  const fromEnv = io.env[passwordEnvVar]
  if (!fromEnv) throw usage(`--password-from-env: ${passwordEnvVar} is not set or empty`)
  return fromEnv
}

function passwordState(board: Board): string {
  if (board.kind === 'virtual') return 'built in (virtual board)'
  if (board.credentialsRefused) return 'refused by the BMC'
  return board.hasPassword ? 'in keychain' : 'missing'
}

function boardRow(board: Board): string[] {
  return [board.name, board.address, board.user, passwordState(board)]
}

function formatDetails(board: Board): string {
  return [
    `name:      ${board.name}`,
    `id:        ${board.id}`,
    `address:   ${board.address}`,
    `user:      ${board.user}`,
    `password:  ${board.hasPassword || board.kind === 'virtual' ? passwordState(board) : 'missing (edit the board to set it)'}`,
    ...(board.credentialsRefused
      ? [
          `refused:   ${board.credentialsRefused.at}: ${board.credentialsRefused.message}`,
          `           no login is sent until the password is changed: clusterdeck board edit "${board.name}" --password-stdin`,
        ]
      : []),
    `added:     ${board.createdAt}`,
    `updated:   ${board.updatedAt}`,
  ].join('\n')
}
