// `clusterdeck node exec|ssh-trust|password`: one node of a profile's cluster over SSH, outside runs
// (docs/ssh.md). `exec` behaves like `ssh root@node COMMAND`: the remote output passes through and
// the exit code is the remote one, 255 when Clusterdeck could not run it.
import type { Command } from 'commander'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { RequestOutput } from '../../src-shared/contract/index.ts'
import type { NodeHostKey } from '../../src-shared/contract/nodes.ts'
import { CliExit, confirm, printError, promptHidden, readStdinSecret, usage } from './cli-io.ts'
import type { CliContext } from './main.ts'

/** ssh's exit code when the command could not be run at all. */
const couldNotRun = 255

export function registerNodeCommands(program: Command, cli: CliContext): void {
  const node = program
    .command('node')
    .description(
      'one node of a deployed K3s cluster over SSH: run a command, trust its host key (docs/ssh.md)',
    )

  node
    .command('exec')
    .description(
      'run COMMAND as root on the node (after --), passing its output through; exits with its exit code',
    )
    .argument('<profile>', 'the cluster’s profile name')
    .argument('<host>', 'the node’s host name in the profile')
    .argument('<command...>', 'the command, after --; several words are joined with spaces, as ssh does')
    .option('--timeout <seconds>', 'stop the command after this many seconds (default 600)')
    .action(async (profile: string, host: string, words: string[], options: { timeout?: string }) => {
      const timeoutSeconds = options.timeout === undefined ? undefined : Number(options.timeout)
      if (timeoutSeconds !== undefined && !(Number.isInteger(timeoutSeconds) && timeoutSeconds > 0))
        throw usage(`--timeout must be a whole number of seconds, not "${options.timeout}"`)
      let result: RequestOutput<'nodes.exec'>
      try {
        result = await cli.call('nodes.exec', {
          profile,
          host,
          command: words.join(' '),
          ...(timeoutSeconds ? { timeoutSeconds } : {}),
        })
      } catch (error) {
        if (!(error instanceof AppError) || error.code === 'invalid_input' || error.code === 'not_found')
          throw error
        printError(cli.io, error.toData())
        if (error.code === 'ssh_host_key_changed')
          cli.io.stderr.write(`  to trust the new key: clusterdeck node ssh-trust ${profile} ${host}\n`)
        throw new CliExit(couldNotRun)
      }
      cli.io.stdout.write(result.stdout)
      cli.io.stderr.write(result.stderr)
      if (result.exitCode !== 0) throw new CliExit(result.exitCode < 0 ? couldNotRun : result.exitCode)
    })

  node
    .command('ssh-trust')
    .description(
      'show the node’s pinned and presented SSH host keys and trust the presented one (asks on a terminal; else give --fingerprint)',
    )
    .argument('<profile>', 'the cluster’s profile name')
    .argument('<host>', 'the node’s host name in the profile')
    .option('--fingerprint <SHA256:…>', 'trust only if the node presents exactly this key')
    .action(async (profile: string, host: string, options: { fingerprint?: string }) => {
      const out = (text: string) => void cli.io.stdout.write(`${text}\n`)
      const key = await cli.call('nodes.hostKey', { profile, host })
      printHostKeys(out, host, key)
      if (key.pinned?.fingerprint === key.presented.fingerprint) {
        out('The presented key is already trusted: nothing changed.')
        return
      }
      if (options.fingerprint !== undefined) {
        if (options.fingerprint.trim() !== key.presented.fingerprint)
          throw new AppError(
            'conflict',
            `${host} presents ${key.presented.fingerprint}, not ${options.fingerprint}: nothing was trusted.`,
            'Check the key on the node (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub).',
          )
      } else if (!cli.io.stdin.isTTY) {
        throw usage(
          `no terminal to ask on: to trust the presented key, run again with --fingerprint ${key.presented.fingerprint} after checking it on the node`,
        )
      } else if (!(await confirm(cli.io, `Trust ${key.presented.fingerprint} for ${host}?`))) {
        out('Nothing was trusted.')
        throw new CliExit(1)
      }
      const trusted = await cli.call('nodes.trustHostKey', {
        profile,
        host,
        fingerprint: key.presented.fingerprint,
      })
      out(`Trusted ${trusted.presented.fingerprint} for ${host}.`)
    })

  node
    .command('password')
    .description(
      'keep the nodes’ password for the profile in the keychain (root password at first login, sudo password of a non-root user); read without echo, or from stdin',
    )
    .argument('<profile>', 'the cluster’s profile name')
    .option('--clear', 'delete it from the keychain instead')
    .action(async (profile: string, options: { clear?: boolean }) => {
      if (options.clear) {
        const { cleared } = await cli.call('nodes.clearPassword', { profile })
        cli.io.stdout.write(
          cleared
            ? `Deleted the node password of ${profile} from the keychain.\n`
            : `No node password of ${profile} was kept.\n`,
        )
        return
      }
      const password = await readNodePassword(cli, profile)
      await cli.call('nodes.setPassword', { profile, password })
      cli.io.stdout.write(`Kept the node password of ${profile} in the keychain.\n`)
    })
}

function printHostKeys(out: (text: string) => void, host: string, key: NodeHostKey): void {
  const where = key.port === 22 ? key.host : `[${key.host}]:${key.port}`
  out(`${host} answers SSH at ${where}.`)
  out(`Pinned:    ${key.pinned ? `${key.pinned.algorithm} ${key.pinned.fingerprint}` : 'none yet'}`)
  out(`Presented: ${key.presented.algorithm} ${key.presented.fingerprint}`)
}

async function readNodePassword(cli: CliContext, profile: string): Promise<string> {
  if (!cli.io.stdin.isTTY) {
    const piped = await readStdinSecret(cli.io.stdin)
    if (piped === '') throw usage('read an empty password from stdin: pipe it in, e.g. printf %s "$PW" | …')
    return piped
  }
  const typed = await promptHidden(cli.io, `Node password for ${profile}: `)
  if (typed === '') throw usage('the password is empty: nothing was kept')
  if ((await promptHidden(cli.io, 'Again: ')) !== typed)
    throw usage('the two passwords differ: nothing was kept')
  return typed
}
