// NodeShell, the way the K3s steps drive a node, against a real OpenSSH sshd on loopback: commands
// as root with stdin (a secret one never logged), output marked secret never logged, node actions
// checked and applied once, failures naming node, action, command and stderr, and sudo for a
// non-root login with the profile's node password read from the keychain only when sudo asks.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { writeFileCommand, type NodeAction } from '../../src-shared/k3s/remote-command.ts'
import { generateClusterKey, type ClusterKey } from '../../src-main/ssh/cluster-key.ts'
import { HostKeyRepository } from '../../src-main/ssh/host-keys.ts'
import { createNodeShells, type NodeShellOptions } from '../../src-main/ssh/node-shell.ts'
import { nodePasswordAccount } from '../../src-main/secrets/secret-store.ts'
import { openDatabase, type Db } from '../../src-main/store/database.ts'
import { MemorySecretStore } from '../support/memory-secret-store.ts'
import { asRoot, hasSudo, OpenSshServer, sshdMissing, sudoPassword, sudoUser } from './openssh-server.ts'

const skip =
  sshdMissing() ?? (asRoot ? undefined : 'needs root to run sshd as root and with its own sudo user')

describe.skipIf(skip !== undefined)(
  `NodeShell against OpenSSH's sshd${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let server: OpenSshServer
    let work: string
    let db: Db
    let clusterKey: ClusterKey
    const keychain = new MemorySecretStore()
    const log: string[] = []
    let shells: ReturnType<typeof createNodeShells>

    const open = (extra: Partial<NodeShellOptions> = {}) =>
      shells.open({
        endpoint: { hostname: 'turing-cp1', host: '127.0.0.1', port: server.port },
        profileName: 'lab',
        clusterKey: clusterKey.privateKey,
        user: 'root',
        log: (line) => log.push(line),
        secrets: [],
        signal: new AbortController().signal,
        ...extra,
      })

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'clusterdeck-node-shell-'))
      db = openDatabase(join(work, 'data'))
      clusterKey = generateClusterKey('clusterdeck@lab')
      server = new OpenSshServer()
      server.authorize(clusterKey.publicKey)
      await server.start()
      shells = createNodeShells({
        hostKeys: new HostKeyRepository(db),
        secrets: keychain,
        sshConfig: () => [],
        agentSocket: undefined,
      })
    })

    afterAll(async () => {
      await server?.dispose()
      db?.close()
      rmSync(work, { recursive: true, force: true })
    })

    it('feeds stdin to a command, and never logs a secret stdin or what a secretStdout command prints', async () => {
      const shell = await open()
      try {
        log.length = 0
        const plain = await shell.run({ command: 'tr a-z A-Z', stdin: 'node config\n' })
        expect(plain).toEqual({ exitCode: 0, stdout: 'NODE CONFIG\n', stderr: '' })
        const token = 'K10-secret-join-token::server:abc123'
        const path = join(server.dir, 'token')
        expect((await shell.run(writeFileCommand(path, token, { mode: 0o600, secret: true }))).exitCode).toBe(
          0,
        )
        expect(readFileSync(path, 'utf8')).toBe(token)
        expect(statSync(path).mode & 0o777).toBe(0o600)
        const read = await shell.run({ command: `cat ${path}`, secretStdout: true })
        expect(read.stdout).toBe(token)
        expect(log).toContain('root@[127.0.0.1]:' + server.port + '$ tr a-z A-Z (stdin: 12 bytes)')
        expect(log.some((line) => line.endsWith('(secret stdin)'))).toBe(true)
        expect(log.filter((line) => /^exit 0 /.test(line))).toHaveLength(3)
        expect(log.join('\n')).not.toContain(token)
        expect(log.join('\n')).not.toContain('NODE CONFIG')
      } finally {
        shell.close()
      }
    })

    it('converges an action once: applied when its check fails, skipped when it passes', async () => {
      const path = join(server.dir, 'hostname-file')
      const action: NodeAction = {
        id: 'hostname',
        title: 'Set the host name',
        check: { command: `grep -qx turing-cp1 ${path}` },
        apply: [writeFileCommand(path, 'turing-cp1\n', { mode: 0o644 })],
      }
      const shell = await open()
      try {
        log.length = 0
        expect(await shell.converge(action)).toBe('done')
        expect(readFileSync(path, 'utf8')).toBe('turing-cp1\n')
        const applied = log.length
        expect(await shell.converge(action)).toBe('already')
        // The second time only the check ran.
        expect(log.slice(applied).filter((line) => line.includes('$ '))).toEqual([
          `root@[127.0.0.1]:${server.port}$ grep -qx turing-cp1 ${path}`,
        ])
      } finally {
        shell.close()
      }
    })

    it('fails an action naming the node, the action, the failing command and its stderr, secrets redacted', async () => {
      const secret = 'Root-pw-in-stderr-42'
      const shell = await open({ secrets: [secret] })
      try {
        const error = await shell
          .converge({
            id: 'packages',
            title: 'Install the packages',
            check: { command: 'false' },
            apply: [
              { command: 'true' },
              { command: `echo "E: Unable to locate package open-iscsi (${secret})" >&2; exit 100` },
              { command: `touch ${join(server.dir, 'never')}` },
            ],
          })
          .then(
            () => undefined,
            (caught: unknown) => caught,
          )
        expect(error).toBeInstanceOf(AppError)
        const failure = error as AppError
        expect(failure.code).toBe('node_command_failed')
        expect(failure.message).toContain('turing-cp1')
        expect(failure.message).toContain('"Install the packages"')
        expect(failure.message).toContain('exited with 100')
        expect(failure.message).toContain('E: Unable to locate package open-iscsi ([redacted])')
        expect(failure.message).not.toContain(secret)
        expect(failure.details).toMatchObject({ node: 'turing-cp1', action: 'packages', exitCode: '100' })
        // The commands after the failing one did not run.
        expect(() => statSync(join(server.dir, 'never'))).toThrow()
      } finally {
        shell.close()
      }
    })

    it.skipIf(!hasSudo())(
      `runs commands as root through sudo for a non-root login, with the keychain's node password read once, only when sudo asks${hasSudo() ? '' : ' (skipped: sudo is not installed)'}`,
      async () => {
        const deck = await open({ user: sudoUser })
        try {
          // No password kept: sudo's prompt is refused clearly.
          const refused = await deck.run({ command: 'id -u' }).then(
            () => undefined,
            (caught: unknown) => caught as AppError,
          )
          expect([refused?.code, refused?.message]).toEqual([
            'ssh_auth_failed',
            expect.stringContaining('asks for the password of deck'),
          ])
        } finally {
          deck.close()
        }
        await keychain.set(nodePasswordAccount('lab'), sudoPassword)
        const shell = await open({ user: sudoUser })
        try {
          log.length = 0
          const readsBefore = keychain.reads
          expect(await shell.run({ command: 'id -u' })).toEqual({ exitCode: 0, stdout: '0\n', stderr: '' })
          // sudo asks every time here (timestamp_timeout=0); stdin follows the password on the channel.
          const secret = 'Secret-on-stdin-77'
          const piped = await shell.run({ command: 'id -u; cat', stdin: secret, secretStdin: true })
          expect(piped).toEqual({ exitCode: 0, stdout: `0\n${secret}`, stderr: '' })
          expect(keychain.reads - readsBefore).toBe(1)
          expect(log).toContain(`${sudoUser}@[127.0.0.1]:${server.port}$ sudo id -u`)
          expect(log.join('\n')).not.toContain(sudoPassword)
          expect(log.join('\n')).not.toContain(secret)
        } finally {
          shell.close()
          await keychain.delete(nodePasswordAccount('lab'))
        }
      },
    )
  },
)
