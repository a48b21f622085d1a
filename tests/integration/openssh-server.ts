// A real OpenSSH sshd on a loopback port, with its own config, host key and authorized_keys in a
// temporary directory. As root it runs in a private mount namespace: a tmpfs on /run gives it the
// privilege separation directory, and a copy of /etc/shadow in which root has a known password is
// bound over the real one — so password logins work without touching the machine's accounts.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const sshdPath = '/usr/sbin/sshd'
export const rootPassword = 'Sshd-test-root-pw-7'
export const asRoot = process.getuid?.() === 0

/** Why the sshd tests cannot run here, or undefined when they can. */
export function sshdMissing(): string | undefined {
  if (!existsSync(sshdPath)) return `${sshdPath} is not installed (Debian: apt-get install openssh-server)`
  for (const tool of ['ssh-keygen', 'ssh-agent', 'ssh-add'])
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`])
    } catch {
      return `${tool} is not installed (Debian: apt-get install openssh-client)`
    }
  return undefined
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

/** Makes an ed25519 key pair with ssh-keygen; returns the private key's path. */
export function sshKeygen(path: string): string {
  rmSync(path, { force: true })
  rmSync(`${path}.pub`, { force: true })
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test', '-f', path])
  return path
}

/** The fingerprint `ssh-keygen -lf` prints for a key file. */
export function keygenFingerprint(path: string): string {
  return execFileSync('ssh-keygen', ['-lf', path], { encoding: 'utf8' }).split(' ')[1]!
}

export class OpenSshServer {
  readonly dir = mkdtempSync(join(tmpdir(), 'clusterdeck-sshd-'))
  readonly hostKeyPath = join(this.dir, 'host_key')
  readonly authorizedKeysPath = join(this.dir, 'authorized_keys')
  port = 0
  private process: ChildProcess | undefined

  constructor() {
    writeFileSync(this.authorizedKeysPath, '')
    sshKeygen(this.hostKeyPath)
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
      const hash = execFileSync('openssl', ['passwd', '-6', rootPassword], { encoding: 'utf8' }).trim()
      const shadow = readFileSync('/etc/shadow', 'utf8').replace(/^root:[^:]*:/m, `root:${hash}:`)
      writeFileSync(join(this.dir, 'shadow'), shadow, { mode: 0o600 })
      const setup = `mount -t tmpfs tmpfs /run && mkdir -m 755 /run/sshd && mount --bind ${this.dir}/shadow /etc/shadow`
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
