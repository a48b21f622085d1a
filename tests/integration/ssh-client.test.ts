// The app's SSH layer against a real OpenSSH sshd on loopback: host keys pinned on first use and a
// changed one refused until trusted, logins with the generated cluster key, an agent, the user's
// ~/.ssh/config and a password, exit codes, stderr, redacted logs, timeouts and cancellation.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { generateClusterKey, type ClusterKey } from '../../src-main/ssh/cluster-key.ts'
import { HostKeyRepository, trustHostKey } from '../../src-main/ssh/host-keys.ts'
import { parseSshConfig } from '../../src-main/ssh/ssh-config.ts'
import { connectSsh, type SshAuth, type SshConnectOptions } from '../../src-main/ssh/ssh-connection.ts'
import { openDatabase, type Db } from '../../src-main/store/database.ts'
import {
  asRoot,
  freePort,
  keygenFingerprint,
  OpenSshServer,
  rootPassword,
  sshdMissing,
  hasSudo,
  sshKeygen,
  startSshAgent,
  sudoPassword,
  sudoUser,
} from './openssh-server.ts'

const skip = sshdMissing()
// Root when the tests run as root (sshd then runs as root too); otherwise the user running them,
// the only one an unprivileged sshd can log in.
const loginUser = userInfo().username

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(AppError)
  return error as AppError
}

describe.skipIf(skip !== undefined)(
  `SSH client against OpenSSH's sshd${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let server: OpenSshServer
    let work: string
    let db: Db
    let hostKeys: HostKeyRepository
    let clusterKey: ClusterKey
    const log: string[] = []

    const connect = (auth: SshAuth, extra: Partial<SshConnectOptions> = {}) =>
      connectSsh({
        target: { host: '127.0.0.1', port: server.port, user: loginUser },
        auth: { agentSocket: undefined, ...auth },
        hostKeys,
        log: (line) => log.push(line),
        connectTimeoutMs: 10_000,
        ...extra,
      })

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'clusterdeck-ssh-'))
      db = openDatabase(join(work, 'data'))
      hostKeys = new HostKeyRepository(db)
      clusterKey = generateClusterKey('clusterdeck@test')
      server = new OpenSshServer()
      server.authorize(clusterKey.publicKey)
      await server.start()
    })

    afterAll(async () => {
      await server?.dispose()
      db?.close()
      rmSync(work, { recursive: true, force: true })
    })

    it('pins the host key on first use with the fingerprint ssh-keygen prints, and logs in with the cluster key', async () => {
      const connection = await connect({ privateKeys: [clusterKey.privateKey] })
      try {
        const expected = keygenFingerprint(`${server.hostKeyPath}.pub`)
        expect(connection.hostKey).toEqual({ algorithm: 'ssh-ed25519', fingerprint: expected })
        expect(hostKeys.find('127.0.0.1', server.port)).toMatchObject({
          fingerprint: expected,
          algorithm: 'ssh-ed25519',
        })
        expect(log.some((line) => line.includes(`Pinned the host key of [127.0.0.1]:${server.port}`))).toBe(
          true,
        )
        expect(await connection.exec('id -u', { timeoutMs: 10_000 })).toEqual({
          exitCode: 0,
          stdout: `${process.getuid?.()}\n`,
          stderr: '',
        })
      } finally {
        connection.close()
      }
    })

    it('returns exit codes and stderr, and logs each command and its exit status with secrets redacted', async () => {
      const connection = await connect(
        { privateKeys: [clusterKey.privateKey] },
        { secrets: ['K10-join-token-xyz'] },
      )
      try {
        log.length = 0
        const result = await connection.exec('echo out; echo K10-join-token-xyz >&2; exit 3', {
          timeoutMs: 10_000,
        })
        expect(result).toEqual({ exitCode: 3, stdout: 'out\n', stderr: 'K10-join-token-xyz\n' })
        expect(log[0]).toBe(`${loginUser}@[127.0.0.1]:${server.port}$ echo out; echo [redacted] >&2; exit 3`)
        expect(log[1]).toMatch(/^exit 3 \(\d+\.\d s\)$/)
        expect(log.join('\n')).not.toContain('K10-join-token-xyz')
        // A root login needs no sudo: the command runs as it is.
        if (asRoot)
          expect((await connection.exec('id -un', { sudo: true, timeoutMs: 10_000 })).stdout).toBe('root\n')
      } finally {
        connection.close()
      }
    })

    it('stops a command that hangs at its deadline, and one whose run is cancelled', async () => {
      const connection = await connect({ privateKeys: [clusterKey.privateKey] })
      const running = async () =>
        (
          await connection.exec("ps -eo args | grep -c '^sleep 3[12].5$' || true", { timeoutMs: 10_000 })
        ).stdout.trim()
      try {
        const timedOut = await refusal(connection.exec('sleep 31.5', { timeoutMs: 900 }))
        expect(timedOut.code).toBe('timeout')
        expect(timedOut.message).toContain('"sleep 31.5"')
        const controller = new AbortController()
        setTimeout(() => controller.abort(), 300)
        const cancelled = await refusal(
          connection.exec('sleep 32.5', { timeoutMs: 1900, signal: controller.signal }),
        )
        expect(cancelled.code).toBe('cancelled')
        // The connection stays usable; the node killed both commands by their deadlines.
        await new Promise((resolve) => setTimeout(resolve, 3000))
        expect(await running()).toBe('0')
      } finally {
        connection.close()
      }
    })

    it("logs in through an ssh-agent and through the user's ~/.ssh/config", async () => {
      const userKey = sshKeygen(join(work, 'id_user'))
      server.authorize(readFileSync(`${userKey}.pub`, 'utf8'))
      const agent = await startSshAgent(work, [userKey])
      try {
        const viaAgent = await connect({ agentSocket: agent.socket })
        expect((await viaAgent.exec('echo agent', { timeoutMs: 10_000 })).stdout).toBe('agent\n')
        viaAgent.close()
      } finally {
        agent.stop()
      }
      const sshConfig = parseSshConfig(
        `Host lab-node\n  HostName 127.0.0.1\n  Port ${server.port}\n  User ${loginUser}\n  IdentityFile ${userKey}\n`,
      )
      const viaConfig = await connectSsh({
        target: { host: 'lab-node' },
        auth: { agentSocket: undefined },
        hostKeys,
        sshConfig,
      })
      expect([viaConfig.host, viaConfig.port, viaConfig.user]).toEqual(['127.0.0.1', server.port, loginUser])
      expect((await viaConfig.exec('echo config', { timeoutMs: 10_000 })).stdout).toBe('config\n')
      viaConfig.close()
      // Without any usable key the node refuses, and says what to do.
      expect((await refusal(connect({}))).code).toBe('ssh_auth_failed')
    })

    it.skipIf(!asRoot)(
      `logs in with a password only when given one, and keeps it out of the log${asRoot ? '' : ' (skipped: needs root to give sshd its own account files)'}`,
      async () => {
        log.length = 0
        const connection = await connect({ password: rootPassword })
        expect(
          (await connection.exec(`echo ${rootPassword} >/dev/null`, { timeoutMs: 10_000 })).exitCode,
        ).toBe(0)
        connection.close()
        expect(log.join('\n')).not.toContain(rootPassword)
        expect((await refusal(connect({ password: 'wrong-password' }))).code).toBe('ssh_auth_failed')
      },
    )

    const sudoMissing = !asRoot
      ? 'needs root to run sshd with its own sudo user'
      : !hasSudo()
        ? 'sudo is not installed'
        : ''
    it.skipIf(sudoMissing !== '')(
      `runs sudo for a non-root user, feeding the password only when sudo asks${sudoMissing ? ` (skipped: ${sudoMissing})` : ''}`,
      async () => {
        const deck = await connect(
          { privateKeys: [clusterKey.privateKey] },
          { target: { host: '127.0.0.1', port: server.port, user: sudoUser } },
        )
        try {
          log.length = 0
          expect((await deck.exec('id -u', { timeoutMs: 10_000 })).stdout).toBe('4242\n')
          const asRootResult = await deck.exec('id -u; echo warn >&2', {
            sudo: true,
            sudoPassword,
            timeoutMs: 20_000,
          })
          expect(asRootResult).toEqual({ exitCode: 0, stdout: '0\n', stderr: 'warn\n' })
          expect(log).toContain(`${sudoUser}@[127.0.0.1]:${server.port}$ sudo id -u; echo warn >&2`)
          expect(log.join('\n')).not.toContain(sudoPassword)
          const unasked = await refusal(deck.exec('id -u', { sudo: true, timeoutMs: 20_000 }))
          expect([unasked.code, unasked.message]).toEqual([
            'ssh_auth_failed',
            expect.stringContaining('asks for the password of deck'),
          ])
          const wrong = await refusal(
            deck.exec('id -u', { sudo: true, sudoPassword: 'not-it', timeoutMs: 20_000 }),
          )
          expect([wrong.code, wrong.message]).toEqual([
            'ssh_auth_failed',
            expect.stringContaining('refused the password of deck'),
          ])
        } finally {
          deck.close()
        }
      },
    )

    it('refuses a changed host key naming both fingerprints, and connects after the new key is trusted', async () => {
      const before = keygenFingerprint(`${server.hostKeyPath}.pub`)
      await server.replaceHostKey()
      const after = keygenFingerprint(`${server.hostKeyPath}.pub`)
      const error = await refusal(connect({ privateKeys: [clusterKey.privateKey] }))
      expect(error.code).toBe('ssh_host_key_changed')
      expect(error.message).toContain(`trusted ${before}, now ${after}`)
      expect(error.details).toMatchObject({ expected: before, actual: after })
      expect(hostKeys.find('127.0.0.1', server.port)?.fingerprint).toBe(before)

      trustHostKey(hostKeys, '127.0.0.1', server.port, error.details!.algorithm!, error.details!.actual!)
      const connection = await connect({ privateKeys: [clusterKey.privateKey] })
      expect(connection.hostKey.fingerprint).toBe(after)
      connection.close()
    })

    it("checks a node with several host keys against the pinned key's type", async () => {
      const ecdsa = keygenFingerprint(`${server.ecdsaHostKeyPath}.pub`)
      trustHostKey(hostKeys, '127.0.0.1', server.port, 'ecdsa-sha2-nistp256', ecdsa)
      const connection = await connect({ privateKeys: [clusterKey.privateKey] })
      expect(connection.hostKey).toEqual({ algorithm: 'ecdsa-sha2-nistp256', fingerprint: ecdsa })
      connection.close()
    })

    it('gives up on a server that never answers the handshake, and on a closed port', async () => {
      const silent: Server = createServer(() => {})
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
      const silentPort = (silent.address() as { port: number }).port
      try {
        const error = await refusal(
          connectSsh({
            target: { host: '127.0.0.1', port: silentPort },
            auth: {},
            hostKeys,
            connectTimeoutMs: 500,
          }),
        )
        expect(error.code).toBe('timeout')
      } finally {
        silent.close()
      }
      const closedPort = await freePort()
      const unreachable = await refusal(
        connectSsh({ target: { host: '127.0.0.1', port: closedPort }, auth: {}, hostKeys }),
      )
      expect(unreachable.code).toBe('ssh_unreachable')
      expect(unreachable.message).toContain('ECONNREFUSED')
    })
  },
)
