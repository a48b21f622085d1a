// The day-2 commands as processes, on a cluster record sealed as a bootstrap leaves it (no board
// behind it, so nothing here runs a step against nodes): a destroy refused without the typed name,
// day-2 runs refused on a cluster never deployed, an upgrade refused when it skips a minor release
// and shown as a dry run, and the secrets exported with age — to a passphrase and to a recipient —
// verified, with no secret in any output; a K3s restore shown as a dry run, and refused when the
// export holds another cluster's token. The runs themselves are tests/peers/*-day2.test.ts's.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateX25519Identity, identityToRecipient } from 'age-encryption'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAppCore } from '../../src-main/core/app-core.ts'
import { exportSecrets } from '../../src-main/day2/secrets-export.ts'
import type { ClusterRecord } from '../../src-shared/clusters/cluster-schema.ts'
import type { RequestOutput } from '../../src-shared/contract/index.ts'
import { KeyringSecretStore } from '../../src-main/secrets/keyring-secret-store.ts'
import { sealBootstrappedCluster, type BootstrappedCluster } from '../support/bootstrapped-cluster.ts'
import { runCli } from '../support/run-cli.ts'
import { makeTempDir } from '../support/temp-dir.ts'

const keychain = new KeyringSecretStore()
const passphrase = 'a passphrase of several words'
const bundleKey = 'S2VlcC10aGlzLWJ1bmRsZS1rZXktc2VjcmV0LTEyMzQ1Ng=='
const edgeToken = `K10${'e1'.repeat(32)}::server:edge-original-token`
let dir: ReturnType<typeof makeTempDir>
let env: NodeJS.ProcessEnv
let lab: BootstrappedCluster

beforeAll(async () => {
  dir = makeTempDir()
  const home = join(dir.path, 'home')
  mkdirSync(home)
  env = { CLUSTERDECK_HOME: join(dir.path, 'data'), HOME: home }
  const core = createAppCore({ dataDir: env.CLUSTERDECK_HOME!, secrets: keychain, transport: 'cli' })
  try {
    const board = await core.dispatch('boards.add', {
      name: 'rack-1',
      address: 'https://127.0.0.1:9',
      user: 'root',
      password: 'turing',
    })
    expect(board.ok).toBe(true)
    lab = await sealBootstrappedCluster(core, keychain, { name: 'lab', board: 'rack-1' })
    await core.clusters.sealSecret(
      lab.id,
      'talos-secrets',
      `secrets:\n  secretboxencryptionsecret: ${bundleKey}\n`,
    )
    const bare = await core.dispatch('profiles.fromTemplate', {
      template: 'talos-rk1-longhorn',
      name: 'bare',
      board: 'rack-1',
    })
    if (!bare.ok) throw new Error(bare.error.message)
    const edge = await core.dispatch('profiles.fromTemplate', {
      template: 'k3s-rk1-armbian',
      name: 'edge',
      board: 'rack-1',
    })
    if (!edge.ok) throw new Error(edge.error.message)
    // What a K3s deploy seals first: the server's token.
    const { saved } = edge.value as RequestOutput<'profiles.fromTemplate'>
    const edgeCluster = core.clusters.forProfile(saved.id, saved.profile)
    await core.clusters.sealSecret(edgeCluster.id, 'k3s-token', edgeToken)
  } finally {
    await core.close()
  }
}, 60_000)

afterAll(async () => {
  await lab?.forget()
  dir?.remove()
})

const cli = (args: string[], stdin?: string) =>
  runCli(args, { env, ...(stdin === undefined ? {} : { stdin }) })

describe('clusterdeck upgrade and destroy before they start', () => {
  it('refuses a destroy without the cluster’s name typed, and any day-2 run on a cluster never deployed', async () => {
    const unconfirmed = await cli(['destroy', 'lab'])
    expect(unconfirmed.code).toBe(2)
    expect(unconfirmed.stderr).toMatch(/A destroy of "lab" wipes and powers off all its nodes/)
    expect(unconfirmed.stderr).toMatch(/clusterdeck destroy lab --confirm lab/)
    const bare = await cli(['destroy', 'bare', '--confirm', 'bare'])
    expect(bare.code).toBe(2)
    expect(bare.stderr).toMatch(/Nothing has been deployed from "bare": there is no cluster to destroy/)
    expect((await cli(['backup', 'bare'])).stderr).toMatch(/there is no cluster to backup/)
  })

  it('refuses an upgrade that skips a minor release and shows one that does not as a dry run', async () => {
    const skipping = await cli(['upgrade', 'lab', '--talos', 'v1.15.0'])
    expect(skipping.code).toBe(2)
    expect(skipping.stderr).toMatch(/from v1\.13\.9 go to v1\.14\.x first, then to v1\.15\.0/)
    // The dry run of the same upgrade shows the plan and the refusal a start would meet.
    const refused = await cli(['upgrade', 'lab', '--talos', 'v1.15.0', '--dry-run'])
    expect(refused.code, refused.stderr).toBe(0)
    expect(refused.stdout).toMatch(/Upgrade turing-cp1 to Talos v1\.15\.0/)
    expect(refused.stdout).toMatch(/A start would be refused: .*go to v1\.14\.x first/)
    const dryRun = await cli(['upgrade', 'lab', '--talos', '1.14.0', '--dry-run'])
    expect(dryRun.code, dryRun.stderr).toBe(0)
    const steps = dryRun.stdout
      .split('\n')
      .filter((line) => /^ {2}\S/.test(line))
      .map((line) => line.trim().split(/\s+/)[0])
    expect(steps).toEqual([
      'backup:etcd',
      'backup:save',
      'upgrade:turing-cp1',
      'upgrade:turing-w1',
      'upgrade:turing-w2',
      'upgrade:turing-w3',
      'cluster:nodes-ready',
    ])
    expect(dryRun.stdout).toMatch(/Upgrade turing-cp1 to Talos v1\.14\.0/)
  })

  it('shows a K3s upgrade and a K3s destroy wiping the eMMC; refuses the eMMC for Talos and without the name', async () => {
    const dryRun = await cli(['upgrade', 'edge', '--k3s', 'v1.37.0+k3s1', '--dry-run'])
    expect(dryRun.code, dryRun.stderr).toBe(0)
    expect(dryRun.stdout).toMatch(/Upgrade turing-cp1 to K3s v1\.37\.0\+k3s1/)
    expect(dryRun.stdout).toMatch(/Upgrade turing-w3 to K3s v1\.37\.0\+k3s1/)
    const emmc = await cli(['destroy', 'edge', '--wipe-emmc', '--wipe-nvme', '--dry-run'])
    expect(emmc.code, emmc.stderr).toBe(0)
    expect(emmc.stdout).toMatch(
      /Reset turing-cp1 \(rack-1 slot 1\): wipe K3s, NVMe \/dev\/nvme0n1, eMMC \(boot device\)/,
    )
    const unconfirmed = await cli(['destroy', 'edge', '--wipe-emmc'])
    expect(unconfirmed.code).toBe(2)
    expect(unconfirmed.stderr).toMatch(/their eMMC too \(they boot nothing until re-flashed\)/)
    expect(unconfirmed.stderr).toMatch(/clusterdeck destroy edge --confirm edge --wipe-emmc/)
    const talos = await cli(['destroy', 'lab', '--wipe-emmc', '--confirm', 'lab'])
    expect(talos.code).toBe(2)
    expect(talos.stderr).toMatch(
      /"lab" is a Talos cluster: its destroy already wipes the STATE and EPHEMERAL/,
    )
  })
})

describe('clusterdeck backup --secrets-to and backup verify', () => {
  it('exports to a passphrase: verify opens it with that passphrase only, and no secret is printed', async () => {
    const file = join(dir.path, 'lab-secrets.age')
    const exported = await cli(
      ['backup', 'lab', '--secrets-only', '--secrets-to', file, '--passphrase-stdin'],
      passphrase,
    )
    expect(exported.code, exported.stderr).toBe(0)
    expect(exported.stdout).toMatch(
      /Secrets \(talos-secrets, talosconfig, kubeconfig\) written to .*lab-secrets\.age, encrypted with age to the passphrase/,
    )
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const content = readFileSync(file, 'utf8')
    for (const secret of [...lab.secrets, bundleKey]) {
      expect(content).not.toContain(secret)
      expect(exported.stdout + exported.stderr).not.toContain(secret)
    }
    const again = await cli(
      ['backup', 'lab', '--secrets-only', '--secrets-to', file, '--passphrase-stdin'],
      passphrase,
    )
    expect(again.code).not.toBe(0)
    expect(readFileSync(file, 'utf8')).toBe(content)

    const verified = await cli(['backup', 'verify', file, '--passphrase-stdin'], `${passphrase}\n`)
    expect(verified.code, verified.stderr).toBe(0)
    expect(verified.stdout).toMatch(
      /^OK: the secrets of "lab" \(talos\), exported \S+: talos-secrets, talosconfig, kubeconfig$/m,
    )
    for (const secret of [...lab.secrets, bundleKey]) expect(verified.stdout).not.toContain(secret)
    const wrong = await cli(['backup', 'verify', file, '--passphrase-stdin'], 'a different passphrase')
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toMatch(/could not be decrypted with that passphrase or identity/)
  })

  it('exports to an age recipient, which only its identity file opens', async () => {
    const identity = await generateX25519Identity()
    const recipient = await identityToRecipient(identity)
    const identityFile = join(dir.path, 'keys.txt')
    writeFileSync(identityFile, `# created: now\n# public key: ${recipient}\n${identity}\n`, { mode: 0o600 })
    const file = join(dir.path, 'lab-secrets-recipient.age')
    const exported = await cli([
      'backup',
      'lab',
      '--secrets-only',
      '--secrets-to',
      file,
      '--age-recipient',
      recipient,
    ])
    expect(exported.code, exported.stderr).toBe(0)
    expect((await cli(['backup', 'verify', file, '--identity', identityFile])).stdout).toMatch(
      /^OK: the secrets of "lab"/,
    )
    const other = join(dir.path, 'other.txt')
    writeFileSync(other, `${await generateX25519Identity()}\n`)
    expect((await cli(['backup', 'verify', file, '--identity', other])).code).toBe(2)

    const neither = await cli(['backup', 'lab', '--secrets-only', '--secrets-to', join(dir.path, 'x.age')])
    expect(neither.stderr).toMatch(/needs exactly one of --age-recipient R and --passphrase-stdin/)
    const badRecipient = await cli([
      'backup',
      'lab',
      '--secrets-only',
      '--secrets-to',
      join(dir.path, 'y.age'),
      '--age-recipient',
      'age1xyz',
    ])
    expect(badRecipient.code).toBe(2)
    expect(badRecipient.stderr).toMatch(/"age1xyz" is not an age recipient/)
  })
})

describe('clusterdeck restore of a K3s cluster', () => {
  it('shows the first server restored from the snapshot, and refuses another cluster’s token', async () => {
    const snapshot = join(dir.path, 'edge-state.db')
    writeFileSync(snapshot, 'SQLite format 3\0')
    const dryRun = await cli(['restore', 'edge', '--snapshot', snapshot, '--dry-run'])
    expect(dryRun.code, dryRun.stderr).toBe(0)
    expect(dryRun.stdout).toMatch(
      /Install the K3s server on turing-cp1, restored from the snapshot edge-state\.db/,
    )
    expect(dryRun.stdout).not.toMatch(/A start would be refused/)

    const otherToken = `K10${'0f'.repeat(32)}::server:another-cluster`
    const other = { profileName: 'edge', id: 'another', distribution: 'k3s' } as ClusterRecord
    const open = async (name: string) => (name === 'k3s-token' ? otherToken : null)
    const file = join(dir.path, 'other-secrets.age')
    writeFileSync(file, (await exportSecrets(other, open, { passphrase }, 10)).content)
    const refused = await cli(
      ['restore', 'edge', '--snapshot', snapshot, '--secrets', file, '--passphrase-stdin'],
      passphrase,
    )
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toMatch(/"edge" already holds other cluster secrets .*; nothing was imported/)
    expect(refused.stdout + refused.stderr).not.toContain(otherToken)
    expect(refused.stdout + refused.stderr).not.toContain(edgeToken)
  })
})
