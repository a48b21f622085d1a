// The SSH server of a virtual Armbian node (ssh2's Server) on 127.0.0.N:2222: its own ed25519 host
// key, passwords from /etc/shadow, public keys from ~/.ssh/authorized_keys of users that exist,
// exec channels only. A command gets the channel's stdin, its exit status or the signal that
// ended it, stdout and stderr. How the app wraps commands (src-main/ssh/ssh-exec.ts) decides when
// the command runs: `exec </dev/null` ones at once, others once their stdin has ended; a leading
// `sudo -S -p PROMPT --` prompts on stderr and reads the password from the channel as sudo does,
// and a script that first prints a marker on stderr gets it out before its stdin is read.
import ssh2 from 'ssh2'
import type { Connection, ServerChannel, Session } from 'ssh2'
import { shellQuote } from '../../src-shared/k3s/remote-command.ts'
import { sudoRule, type SystemUser } from './armbian-disk.ts'
import type { ArmbianSystem } from './armbian-system.ts'

export const armbianSshPort = 2222

/** How long a command with open stdin waits for data before it runs with none (an idle ssh client). */
const idleStdinMs = 300

export interface ArmbianSshd {
  close(): Promise<void>
}

export async function startArmbianSshd(system: ArmbianSystem, hostKey: string): Promise<ArmbianSshd> {
  const clients = new Set<Connection>()
  const server = new ssh2.Server({ hostKeys: [hostKey], ident: 'OpenSSH_10.0p2 Debian-7' }, (client) => {
    clients.add(client)
    // Each command is a few small packets each way; Nagle's delay would hold every one back.
    // (ssh2's Connection has the method; its type declarations do not.)
    ;(client as Connection & { setNoDelay(noDelay: boolean): void }).setNoDelay(true)
    client.on('close', () => clients.delete(client))
    client.on('error', () => client.end())
    let user: SystemUser | undefined
    client.on('authentication', (ctx) => {
      void authenticate(system, ctx).then((found) => {
        if (!found) return ctx.reject(['publickey', 'password'])
        if (found === 'ok') return ctx.accept()
        user = found
        ctx.accept()
      })
    })
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept()
        serveSession(system, session, () => user!)
      })
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(armbianSshPort, system.address, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of clients) client.end()
        server.close(() => resolve())
      }),
  }
}

/** The user when the credentials are right; 'ok' for a public key query (no signature yet). */
async function authenticate(
  system: ArmbianSystem,
  ctx: ssh2.AuthContext,
): Promise<SystemUser | 'ok' | undefined> {
  const user = await system.user(ctx.username)
  if (!user) return undefined
  if (ctx.method === 'password') return (await system.passwordOk(user.name, ctx.password)) ? user : undefined
  if (ctx.method !== 'publickey') return undefined
  const text = (await system.fs.readFile(`${user.home}/.ssh/authorized_keys`).catch(() => '')) ?? ''
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue
    const key = ssh2.utils.parseKey(line)
    if (key instanceof Error) continue
    if (key.type !== ctx.key.algo || !key.getPublicSSH().equals(ctx.key.data)) continue
    if (!ctx.signature || !ctx.blob) return 'ok'
    return key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true ? user : undefined
  }
  return undefined
}

function serveSession(system: ArmbianSystem, session: Session, user: () => SystemUser): void {
  let running: AbortController | undefined
  session.on('pty', (_accept, reject) => reject?.())
  session.on('env', (accept) => accept?.())
  session.on('shell', (accept) => {
    const channel = accept()
    channel.stderr.write(
      'This virtual Armbian node runs commands only (ssh -p 2222 root@ADDRESS COMMAND); it has no interactive shell.\r\n',
    )
    channel.exit(1)
    channel.end()
  })
  session.on('signal', (accept, _reject, info) => {
    accept?.()
    running?.abort(info.name)
  })
  session.on('exec', (accept, _reject, info) => {
    const channel = accept()
    const controller = new AbortController()
    running = controller
    channel.on('close', () => controller.abort('HUP'))
    void runExec(system, channel, info.command, user(), controller.signal).then(
      (exit) => {
        if (channel.destroyed) return
        if (typeof exit === 'number') channel.exit(exit)
        else channel.exit(exit.signal, false, '')
        channel.end()
      },
      (error: unknown) => {
        if (channel.destroyed) return
        channel.stderr.write(`sshd: ${error instanceof Error ? error.message : String(error)}\n`)
        channel.exit(255)
        channel.end()
      },
    )
  })
}

/** The channel's stdin as it arrives, line by line for sudo, then all of it for the command. */
class ChannelInput {
  #buffer = ''
  #ended = false
  #waiters: (() => void)[] = []
  #data = false

  constructor(channel: ServerChannel) {
    channel.on('data', (chunk: Buffer) => {
      this.#buffer += chunk.toString('utf8')
      this.#data = true
      this.#wake()
    })
    channel.on('end', () => this.#end())
    channel.on('close', () => this.#end())
  }

  #end(): void {
    this.#ended = true
    this.#wake()
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter()
  }

  #next(timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      this.#waiters.push(resolve)
      if (timeoutMs !== undefined) setTimeout(resolve, timeoutMs).unref()
    })
  }

  /** One line (without its newline), or undefined once stdin ended without one. */
  async line(): Promise<string | undefined> {
    for (;;) {
      const newline = this.#buffer.indexOf('\n')
      if (newline >= 0) {
        const line = this.#buffer.slice(0, newline)
        this.#buffer = this.#buffer.slice(newline + 1)
        return line
      }
      if (this.#ended) return undefined
      await this.#next()
    }
  }

  /** Everything up to the end of stdin; with `idle`, nothing when no data came within that time. */
  async all(idleMs?: number): Promise<string> {
    while (!this.#ended) {
      const before = this.#buffer.length
      await this.#next(this.#data ? undefined : idleMs)
      if (!this.#ended && !this.#data && this.#buffer.length === before && idleMs !== undefined) break
    }
    const all = this.#buffer
    this.#buffer = ''
    return all
  }
}

const sudoPattern = /^sudo -S -p ('(?:[^']|'\\'')*'|\S+) -- (.*)$/s
const wrappedPattern = /^timeout -s KILL (\d+) sh -c '((?:[^']|'\\'')*)'$/s
const markerFirst = /^printf %s ('(?:[^']|'\\'')*'|\S+) >&2; (.*)$/s

async function runExec(
  system: ArmbianSystem,
  channel: ServerChannel,
  command: string,
  login: SystemUser,
  signal: AbortSignal,
): Promise<number | { signal: string }> {
  const input = new ChannelInput(channel)
  let user = login
  let rest = command
  const sudo = sudoPattern.exec(command)
  if (sudo) {
    rest = sudo[2]!
    const rule = await sudoRule(system.fs, login.name)
    if (rule === 'none') {
      channel.stderr.write(`${login.name} is not in the sudoers file.\n`)
      return 1
    }
    if (rule === 'password') {
      const prompt = unquote(sudo[1]!)
      let granted = false
      for (let attempt = 0; attempt < 3 && !granted; attempt++) {
        if (attempt > 0) channel.stderr.write('Sorry, try again.\n')
        channel.stderr.write(prompt)
        const password = await input.line()
        if (password === undefined) break
        granted = await system.passwordOk(login.name, password)
      }
      if (!granted) {
        channel.stderr.write('sudo: 3 incorrect password attempts\n')
        return 1
      }
    }
    user = (await system.user('root'))!
  }
  let stdin = ''
  const wrapped = wrappedPattern.exec(rest)
  const script = wrapped ? unquote(`'${wrapped[2]}'`) : undefined
  const devNull = 'exec </dev/null; '
  if (script?.startsWith(devNull)) {
    // Reads /dev/null: runs at once, with no stdin for the whole script (just-bash's own `exec <`
    // would also empty the stdin of pipes inside it).
    rest = `timeout -s KILL ${wrapped![1]} sh -c ${shellQuote(script.slice(devNull.length))}`
  } else if (script !== undefined && markerFirst.test(script)) {
    // The first statement tells the client that the command now reads its stdin.
    const [, marker, remainder] = markerFirst.exec(script)!
    channel.stderr.write(unquote(marker!))
    rest = `timeout -s KILL ${wrapped![1]} sh -c ${shellQuote(remainder!)}`
    stdin = await input.all()
  } else stdin = await input.all(wrapped ? undefined : idleStdinMs)
  if (signal.aborted) return { signal: String(signal.reason ?? 'HUP') }
  const result = await system.run(user, rest, stdin, signal)
  if (signal.aborted) return { signal: String(signal.reason ?? 'HUP') }
  if (result.stdout) channel.write(result.stdout)
  if (result.stderr) channel.stderr.write(result.stderr)
  // timeout -s KILL: the command was killed, as a shell reports it.
  return result.exitCode
}

/** A POSIX sh word back to its text: single quotes (with '\'' escapes) or a bare word. */
function unquote(word: string): string {
  if (!word.startsWith("'")) return word
  return word.slice(1, -1).replaceAll(`'\\''`, "'")
}
