// A real OpenSSH sshd on a loopback port, with its own config, host key and authorized_keys in a
// temporary directory. As root it runs in a private mount namespace: a tmpfs on /run gives it the
// privilege separation directory, and copies of the account files (root with a known password, a
// sudo user) are bound over the real ones — so password and sudo logins work without touching the
// machine's accounts.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const sshdPath = '/usr/sbin/sshd'
export const rootPassword = 'Sshd-test-root-pw-7'
export const sudoUser = 'deck'
export const sudoPassword = 'Sudo-test-pw-9'
const sudoUid = 4242
export const asRoot = process.getuid?.() === 0

/** Why the sshd tests cannot run here, or undefined when they can. */
export function sshdMissing(): string | undefined {
  if (!existsSync(sshdPath)) return `${sshdPath} is not installed (Debian: apt-get install openssh-server)`
  for (const tool of ['ssh-keygen', 'ssh-agent', 'ssh-add', 'openssl'])
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`])
    } catch {
      return `${tool} is not installed (Debian: apt-get install openssh-client)`
    }
  return undefined
}

export function hasSudo(): boolean {
  return existsSync('/usr/bin/sudo')
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** Makes a key pair with ssh-keygen (ed25519 unless told); returns the private key's path. */
export function sshKeygen(path: string, type = 'ed25519'): string {
  rmSync(path, { force: true })
  rmSync(`${path}.pub`, { force: true })
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'test', '-f', path])
  return path
}

/** The fingerprint `ssh-keygen -lf` prints for a key file. */
export function keygenFingerprint(path: string): string {
  return execFileSync('ssh-keygen', ['-lf', path], { encoding: 'utf8' }).split(' ')[1]!
}

export class OpenSshServer {
  readonly dir = mkdtempSync(join(tmpdir(), 'clusterdeck-sshd-'))
  readonly hostKeyPath = join(this.dir, 'host_key')
  /** A second host key, as most nodes have several. */
  readonly ecdsaHostKeyPath = join(this.dir, 'host_key_ecdsa')
  readonly authorizedKeysPath = join(this.dir, 'authorized_keys')
  port = 0
  private process: ChildProcess | undefined

  constructor() {
    // sshd reads authorized_keys as the user logging in; the sudo user is not root.
    chmodSync(this.dir, 0o755)
    writeFileSync(this.authorizedKeysPath, '', { mode: 0o644 })
    sshKeygen(this.hostKeyPath)
    sshKeygen(this.ecdsaHostKeyPath, 'ecdsa')
  }

  authorize(publicKeyLine: string): void {
    writeFileSync(
      this.authorizedKeysPath,
      `${readFileSync(this.authorizedKeysPath, 'utf8')}${publicKeyLine.trim()}\n`,
    )
  }

  async start(): Promise<void> {
    this.port ||= await freePort()
    const config = join(this.dir, 'sshd_config')
    writeFileSync(
      config,
      [
        `Port ${this.port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${this.hostKeyPath}`,
        `HostKey ${this.ecdsaHostKeyPath}`,
        `PidFile ${join(this.dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${this.authorizedKeysPath}`,
        'UsePAM no',
        'StrictModes no',
        'PermitRootLogin yes',
        'PasswordAuthentication yes',
        'KbdInteractiveAuthentication no',
        '',
      ].join('\n'),
    )
    const sshd = `exec ${sshdPath} -f ${config} -D -e`
    if (asRoot) {
      const setup = [
        'mount -t tmpfs tmpfs /run && mkdir -m 755 /run/sshd',
        ...this.privateAccounts().map(([copy, path]) => `mount --bind ${copy} ${path}`),
      ].join(' && ')
      this.process = spawn('unshare', [
        '--mount',
        '--propagation',
        'private',
        'sh',
        '-c',
        `${setup} && ${sshd}`,
      ])
    } else {
      this.process = spawn('sh', ['-c', sshd])
    }
    const child = this.process
    await new Promise<void>((resolve, reject) => {
      let output = ''
      const timer = setTimeout(() => reject(new Error(`sshd did not start: ${output}`)), 15_000)
      child.stderr!.on('data', (chunk: Buffer) => {
        output += chunk.toString()
        if (output.includes('Server listening on')) {
          clearTimeout(timer)
          resolve()
        }
      })
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`sshd exited with ${code}: ${output}`))
      })
    })
  }

  /**
   * The account files sshd and sudo see: root with a known password, and a sudo user with its own
   * password and home (copies of the machine's files, bound over them in sshd's namespace only).
   */
  private privateAccounts(): Array<[string, string]> {
    const hash = (password: string) =>
      execFileSync('openssl', ['passwd', '-6', password], { encoding: 'utf8' }).trim()
    const home = join(this.dir, 'home')
    mkdirSync(home, { recursive: true, mode: 0o755 })
    const passwd = `${readFileSync('/etc/passwd', 'utf8').trimEnd()}\n${sudoUser}:x:${sudoUid}:${sudoUid}::${home}:/bin/sh\n`
    const shadow = `${readFileSync('/etc/shadow', 'utf8')
      .replace(/^root:[^:]*:/m, `root:${hash(rootPassword)}:`)
      .trimEnd()}\n${sudoUser}:${hash(sudoPassword)}:20000:0:99999:7:::\n`
    // timestamp_timeout=0: sudo asks every time, so each test sees the prompt.
    const sudoers = `Defaults env_reset\nDefaults timestamp_timeout=0\nDefaults !lecture\nroot ALL=(ALL:ALL) ALL\n${sudoUser} ALL=(ALL:ALL) ALL\n`
    const files: Array<[string, string, string, number]> = [
      ['passwd', '/etc/passwd', passwd, 0o644],
      ['shadow', '/etc/shadow', shadow, 0o600],
      ['sudoers', '/etc/sudoers', sudoers, 0o440],
    ]
    return files.map(([name, path, text, mode]) => {
      writeFileSync(join(this.dir, name), text, { mode })
      return [join(this.dir, name), path]
    })
  }

  async stop(): Promise<void> {
    const child = this.process
    this.process = undefined
    if (!child || child.exitCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }

  /** A reinstalled node: a new host key on the same port. */
  async replaceHostKey(): Promise<void> {
    await this.stop()
    sshKeygen(this.hostKeyPath)
    await this.start()
  }

  async dispose(): Promise<void> {
    await this.stop()
    rmSync(this.dir, { recursive: true, force: true })
  }
}

/** A private ssh-agent holding the given keys; stop() ends it. */
export async function startSshAgent(
  dir: string,
  keyPaths: string[],
): Promise<{ socket: string; stop: () => void }> {
  const socket = join(dir, 'agent.sock')
  const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' })
  for (let tries = 0; !existsSync(socket); tries += 1) {
    if (tries > 100) throw new Error('ssh-agent did not create its socket')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  for (const key of keyPaths)
    execFileSync('ssh-add', ['-q', key], { env: { ...process.env, SSH_AUTH_SOCK: socket } })
  return { socket, stop: () => agent.kill('SIGTERM') }
}
