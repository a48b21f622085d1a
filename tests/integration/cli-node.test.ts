// `clusterdeck node exec|ssh-trust|password` as a process against a real OpenSSH sshd on loopback:
// a K3s profile whose cluster record says where its nodes answer SSH, the cluster's key sealed with
// the real Secret Service (the private D-Bus session of scripts/test.sh), HOME in a temporary
// folder with its own ~/.ssh/config. The remote output and exit code pass through; `node password`
// keeps the password the node shells give sudo for a non-root login; a changed host key is refused
// with both fingerprints until `node ssh-trust` pins the presented one.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ClusterRepository } from '../../src-main/clusters/cluster-repository.ts'
import { createAppCore } from '../../src-main/core/app-core.ts'
import { KeyringSecretStore } from '../../src-main/secrets/keyring-secret-store.ts'
import { clusterDataKeyAccount } from '../../src-main/secrets/sealed-secrets.ts'
import { nodePasswordAccount } from '../../src-main/secrets/secret-store.ts'
import { generateClusterKey } from '../../src-main/ssh/cluster-key.ts'
import { HostKeyRepository } from '../../src-main/ssh/host-keys.ts'
import { createNodeShells } from '../../src-main/ssh/node-shell.ts'
import { openDatabase } from '../../src-main/store/database.ts'
import { clusterNodeOf } from '../../src-shared/clusters/cluster-schema.ts'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'
import type { AppError } from '../../src-shared/contract/app-error.ts'
import type { RequestOutput } from '../../src-shared/contract/index.ts'
import { runCli } from '../support/run-cli.ts'
import { makeTempDir } from '../support/temp-dir.ts'
import {
  asRoot,
  hasSudo,
  keygenFingerprint,
  OpenSshServer,
  sshdMissing,
  sudoPassword,
  sudoUser,
} from './openssh-server.ts'

const skip =
  sshdMissing() ?? (asRoot ? undefined : 'needs root to run sshd as root and with its own sudo user')
const keychain = new KeyringSecretStore()

describe.skipIf(skip !== undefined)(`clusterdeck node${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let dir: ReturnType<typeof makeTempDir>
  let env: NodeJS.ProcessEnv
  let server: OpenSshServer
  let clusterId: string
  let clusterKey: string
  const cli = (args: string[], stdin?: string) =>
    runCli(args, { env, ...(stdin === undefined ? {} : { stdin }) })

  beforeAll(async () => {
    dir = makeTempDir()
    const dataDir = join(dir.path, 'data')
    const home = join(dir.path, 'home')
    mkdirSync(join(home, '.ssh'), { recursive: true })
    env = { CLUSTERDECK_HOME: dataDir, HOME: home, SSH_AUTH_SOCK: '' }
    const key = generateClusterKey('clusterdeck@lab')
    clusterKey = key.privateKey
    server = new OpenSshServer()
    server.authorize(key.publicKey)
    await server.start()
    // turing-w1 is reached through an alias of the user's ~/.ssh/config that logs in as a sudo user.
    writeFileSync(join(home, '.ssh', 'config'), `Host deck-node\n  HostName 127.0.0.1\n  User ${sudoUser}\n`)

    const core = createAppCore({ dataDir, secrets: keychain, transport: 'cli' })
    try {
      const board = await core.dispatch('boards.add', {
        name: 'rack-1',
        address: 'https://127.0.0.1:9',
        user: 'root',
        password: 'turing',
      })
      expect(board.ok).toBe(true)
      const created = await core.dispatch('profiles.fromTemplate', {
        template: 'k3s-rk1-armbian',
        name: 'lab',
        board: 'rack-1',
      })
      if (!created.ok) throw new Error(created.error.message)
      const { saved } = created.value as RequestOutput<'profiles.fromTemplate'>
      const record = core.clusters.forProfile(saved.id, saved.profile)
      clusterId = record.id
      const where: Record<string, string> = { 'turing-cp1': '127.0.0.1', 'turing-w1': 'deck-node' }
      // As the prepare steps record the nodes they reached (only a run writes them through the service).
      const db = openDatabase(dataDir)
      try {
        new ClusterRepository(db).save({
          ...record,
          nodes: saved.profile.nodes
            .filter((node) => where[node.hostname])
            .map((node) => ({
              ...clusterNodeOf(node),
              sshAddress: where[node.hostname]!,
              sshPort: server.port,
            })),
        })
      } finally {
        db.close()
      }
      await core.clusters.sealSecret(record.id, sealedNames.sshKey, key.privateKey)
    } finally {
      await core.close()
    }
  })

  afterAll(async () => {
    await server?.dispose()
    if (clusterId) await keychain.delete(clusterDataKeyAccount(clusterId))
    await keychain.delete(nodePasswordAccount('lab'))
    if (env) {
      const core = createAppCore({ dataDir: env.CLUSTERDECK_HOME!, secrets: keychain, transport: 'cli' })
      const boards = await core.dispatch('boards.list', {})
      for (const board of boards.ok ? (boards.value as RequestOutput<'boards.list'>) : [])
        await core.dispatch('boards.remove', { id: board.id })
      await core.close()
    }
    dir?.remove()
  })

  it('runs a command as root with the cluster key, passing its output and exit code through', async () => {
    expect(await cli(['node', 'exec', 'lab', 'turing-cp1', '--', 'echo out; echo err >&2; exit 3'])).toEqual({
      code: 3,
      stdout: 'out\n',
      stderr: 'err\n',
    })
    expect(await cli(['node', 'exec', 'lab', 'turing-cp1', '--', 'id', '-u'])).toEqual({
      code: 0,
      stdout: '0\n',
      stderr: '',
    })
    const unknown = await cli(['node', 'exec', 'lab', 'turing-w9', '--', 'true'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('The profile "lab" has no node "turing-w9"')
    const noNode = await cli(['node', 'exec', 'nope', 'turing-cp1', '--', 'true'])
    expect([noNode.code, noNode.stderr]).toEqual([2, expect.stringContaining('No cluster profile "nope"')])
  })

  it.skipIf(!hasSudo())(
    'keeps the node password with `node password` where the node shells read it for sudo',
    async () => {
      // The shells as the app builds them, on the keychain the CLI wrote to, logging in as a sudo user.
      const db = openDatabase(env.CLUSTERDECK_HOME!)
      const shells = createNodeShells({
        hostKeys: new HostKeyRepository(db),
        secrets: keychain,
        sshConfig: () => [],
      })
      const asDeck = () =>
        shells.open({
          endpoint: { hostname: 'turing-w1', host: '127.0.0.1', port: server.port },
          profileName: 'lab',
          clusterKey,
          user: sudoUser,
          log: () => {},
          secrets: [],
          signal: new AbortController().signal,
        })
      try {
        const before = await asDeck()
        const refused = await before.run({ command: 'id -u' }).then(
          () => undefined,
          (error: unknown) => error as AppError,
        )
        before.close()
        expect(refused?.message).toContain(`asks for the password of ${sudoUser}`)

        const kept = await cli(['node', 'password', 'lab'], `${sudoPassword}\n`)
        expect([kept.code, kept.stdout]).toEqual([0, 'Kept the node password of lab in the keychain.\n'])
        expect(await keychain.get(nodePasswordAccount('lab'))).toBe(sudoPassword)
        const shell = await asDeck()
        expect(await shell.run({ command: 'id -u; whoami' })).toEqual({
          exitCode: 0,
          stdout: '0\nroot\n',
          stderr: '',
        })
        shell.close()

        expect((await cli(['node', 'password', 'lab', '--clear'])).stdout).toContain('Deleted')
        expect(await keychain.get(nodePasswordAccount('lab'))).toBeNull()
        expect((await cli(['node', 'password', 'lab'], '')).code).toBe(2)
        expect((await cli(['node', 'password', 'nope'], 'x')).code).toBe(2)
      } finally {
        db.close()
      }
    },
  )

  it('refuses a changed host key with both fingerprints, and trusts only the presented one', async () => {
    expect((await cli(['node', 'exec', 'lab', 'turing-cp1', '--', 'true'])).code).toBe(0)
    const before = keygenFingerprint(`${server.hostKeyPath}.pub`)
    await server.replaceHostKey()
    const after = keygenFingerprint(`${server.hostKeyPath}.pub`)

    const refused = await cli(['node', 'exec', 'lab', 'turing-cp1', '--', 'true'])
    expect(refused.code).toBe(255)
    expect(refused.stderr).toContain(`trusted ${before}, now ${after}`)
    expect(refused.stderr).toContain('clusterdeck node ssh-trust lab turing-cp1')

    // Without a terminal it only shows the keys, and says how to trust the presented one.
    const shown = await cli(['node', 'ssh-trust', 'lab', 'turing-cp1'])
    expect(shown.code).toBe(2)
    expect(shown.stdout).toContain(`Pinned:    ssh-ed25519 ${before}`)
    expect(shown.stdout).toContain(`Presented: ssh-ed25519 ${after}`)
    expect(shown.stderr).toContain(`--fingerprint ${after}`)

    const wrong = await cli(['node', 'ssh-trust', 'lab', 'turing-cp1', '--fingerprint', before])
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toContain('nothing was trusted')
    expect((await cli(['node', 'exec', 'lab', 'turing-cp1', '--', 'true'])).code).toBe(255)

    const trusted = await cli(['node', 'ssh-trust', 'lab', 'turing-cp1', '--fingerprint', after])
    expect([trusted.code, trusted.stdout]).toEqual([
      0,
      expect.stringContaining(`Trusted ${after} for turing-cp1.`),
    ])
    expect(await cli(['node', 'exec', 'lab', 'turing-cp1', '--', 'echo', 'back'])).toMatchObject({
      code: 0,
      stdout: 'back\n',
    })
    // Both nodes answer at the same address here, so they share the pin.
    const again = await cli(['node', 'ssh-trust', 'lab', 'turing-w1'])
    expect([again.code, again.stdout]).toEqual([0, expect.stringContaining('already trusted')])
  })
})
