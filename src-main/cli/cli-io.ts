// What the CLI reads and prints besides its arguments: secrets from stdin or the environment (never
// from a flag, where they would land in shell history and the process list), confirmations, and
// errors in the shape every transport uses.
import { createInterface } from 'node:readline/promises'
import type { AppErrorData } from '../../src-shared/contract/app-error.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'

export interface CliIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean }
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  env: NodeJS.ProcessEnv
}

export const processIo: CliIo = {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
}

export const passwordEnvVar = 'CLUSTERDECK_BMC_PASSWORD'

/** Reads all of stdin and drops one trailing newline, as `printf pw | …` and `echo pw | …` both work. */
export async function readStdinSecret(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
}

/**
 * The BMC password for add and edit: --password-stdin, else the environment variable, else an
 * interactive prompt on a terminal. Returns undefined when none is given and none is required.
 */
export async function readPassword(
  io: CliIo,
  { fromStdin, required }: { fromStdin: boolean; required: boolean },
): Promise<string | undefined> {
  if (fromStdin) {
    if (io.stdin.isTTY)
      throw usage('--password-stdin expects the password piped in, e.g. printf %s "$PW" | clusterdeck …')
    const password = await readStdinSecret(io.stdin)
    if (password === '') throw usage('--password-stdin read an empty password from stdin')
    return password
  }
  const fromEnv = io.env[passwordEnvVar]
  if (fromEnv) return fromEnv
  if (!required) return undefined
  if (io.stdin.isTTY) return promptHidden(io, 'BMC password: ')
  throw usage(`no BMC password given: pipe it with --password-stdin or set ${passwordEnvVar}`)
}

/** Asks on the terminal without echoing what is typed. */
export async function promptHidden(io: CliIo, question: string): Promise<string> {
  io.stderr.write(question)
  const rl = createInterface({ input: io.stdin, output: undefined, terminal: true })
  try {
    return await rl.question('')
  } finally {
    rl.close()
    io.stderr.write('\n')
  }
}

export async function confirm(io: CliIo, question: string): Promise<boolean> {
  if (!io.stdin.isTTY) return false
  const rl = createInterface({ input: io.stdin, output: io.stderr })
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim())
  } finally {
    rl.close()
  }
}

export function usage(message: string): AppError {
  return new AppError('invalid_input', message)
}

export function printError(io: CliIo, error: AppErrorData): void {
  io.stderr.write(`clusterdeck: ${error.message}\n`)
  if (error.hint) io.stderr.write(`  hint: ${error.hint}\n`)
}

/** Columns padded to their widest cell, two spaces apart. */
export function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

/** A command that has said what it had to and ends with this exit code (no further message). */
export class CliExit extends Error {
  readonly exitCode: number

  constructor(exitCode: number) {
    super(`exit code ${exitCode}`)
    this.exitCode = exitCode
  }
}
