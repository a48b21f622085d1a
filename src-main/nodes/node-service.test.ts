// The node service over a real SQLite file and real sealed files (the data key in memory), with
// the node shells recorded instead of connecting: which address, port, key and user a node is
// reached with, what is said when the cluster has no key yet or the node is unknown, and where the
// node password is kept. The SSH itself is tested against sshd (tests/integration/cli-node.test.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { clusterNodeOf } from '../../src-shared/clusters/cluster-schema.ts'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { SavedProfile } from '../../src-shared/profiles/profile-schema.ts'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import { MemorySecretStore } from '../../tests/support/memory-secret-store.ts'
import { makeTempDir } from '../../tests/support/temp-dir.ts'
import { ClusterRepository } from '../clusters/cluster-repository.ts'
import { ClusterService } from '../clusters/cluster-service.ts'
import { SealedSecrets } from '../secrets/sealed-secrets.ts'
import { nodePasswordAccount } from '../secrets/secret-store.ts'
import { HostKeyRepository } from '../ssh/host-keys.ts'
import type { NodeShellOptions } from '../ssh/node-shell.ts'
import { parseSshConfig } from '../ssh/ssh-config.ts'
import { openDatabase, type Db } from '../store/database.ts'
import { NodeService } from './node-service.ts'

let dir: ReturnType<typeof makeTempDir>
let db: Db
let clusters: ClusterService
let keychain: MemorySecretStore
let opened: NodeShellOptions[]
let service: NodeService
const saved: SavedProfile = {
  id: 'p1',
  name: 'lab',
  distribution: 'k3s',
  profile: profileFromTemplate('k3s-rk1-armbian', { name: 'lab', board: 'rack-1' }),
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
}

beforeEach(() => {
  dir = makeTempDir()
  db = openDatabase(dir.path)
  keychain = new MemorySecretStore()
  clusters = new ClusterService(new ClusterRepository(db), new SealedSecrets(dir.path, keychain))
  opened = []
  service = new NodeService({
    profiles: {
      get: (ref) => {
        if (ref !== 'lab') throw new AppError('not_found', `No cluster profile "${ref}" is saved.`)
        return saved
      },
    },
    clusters,
    shells: {
      open: async (options) => {
        opened.push(options)
        return {
          run: async (command) => ({ exitCode: 7, stdout: `ran ${command.command}`, stderr: '' }),
          converge: async () => 'done',
          close: () => {},
        }
      },
    },
    hostKeys: new HostKeyRepository(db),
    secrets: keychain,
    sshConfig: () => parseSshConfig('Host 10.10.88.74\n  Port 2200\n'),
  })
})

afterEach(() => {
  db.close()
  dir.remove()
})

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(AppError)
  return error as AppError
}

describe('NodeService', () => {
  it('says the cluster has no key yet, and names the nodes of the profile for an unknown one', async () => {
    const noRecord = await refusal(service.exec({ profile: 'lab', host: 'turing-cp1', command: 'true' }))
    expect([noRecord.code, noRecord.message]).toEqual([
      'not_found',
      expect.stringContaining('no SSH key yet'),
    ])
    const unknown = await refusal(service.exec({ profile: 'lab', host: 'turing-w9', command: 'true' }))
    expect(unknown.message).toBe('The profile "lab" has no node "turing-w9".')
    expect(unknown.hint).toBe('Its nodes are turing-cp1, turing-w1, turing-w2, turing-w3.')
    expect(opened).toEqual([])
  })

  it("reaches a node where the record says it answers SSH, else at the profile's address, with the sealed key", async () => {
    const record = clusters.forProfile(null, saved.profile)
    new ClusterRepository(db).save({
      ...record,
      nodes: [{ ...clusterNodeOf(saved.profile.nodes[0]!), sshAddress: '127.0.0.11', sshPort: 2222 }],
    })
    await clusters.sealSecret(record.id, sealedNames.sshKey, 'PRIVATE-KEY')

    expect(
      await service.exec({ profile: 'lab', host: 'TURING-CP1', command: 'uptime', timeoutSeconds: 5 }),
    ).toEqual({ exitCode: 7, stdout: 'ran uptime', stderr: '' })
    // Port 22 goes to the shells as it is: there, ~/.ssh/config's Port 2200 for the host applies.
    await service.exec({ profile: 'lab', host: 'turing-w1', command: 'true' })
    expect(opened.map((options) => [options.endpoint, options.clusterKey, options.profileName])).toEqual([
      [{ hostname: 'turing-cp1', host: '127.0.0.11', port: 2222 }, 'PRIVATE-KEY', 'lab'],
      [{ hostname: 'turing-w1', host: '10.10.88.74', port: 22 }, 'PRIVATE-KEY', 'lab'],
    ])
    expect(opened[0]!.password).toBeUndefined()
  })

  it('keeps the node password in the keychain under the profile, and deletes it', async () => {
    await service.setPassword({ profile: 'lab', password: 'node-pw-1' })
    expect(keychain.secrets.get(nodePasswordAccount('lab'))).toBe('node-pw-1')
    expect(await service.clearPassword({ profile: 'lab' })).toEqual({ cleared: true })
    expect(await service.clearPassword({ profile: 'lab' })).toEqual({ cleared: false })
    expect((await refusal(service.setPassword({ profile: 'nope', password: 'x' }))).code).toBe('not_found')
    expect(keychain.secrets.size).toBe(0)
  })
})
