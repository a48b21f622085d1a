// Day 2 on the virtual cluster, as a user runs it with the real talosctl: a Talos profile deployed
// through its bootstrap (its image pulled from an Image Factory-shaped URL, so the installer of its
// schematic is known), then `clusterdeck backup` (an etcd snapshot the peers' etcdutl reads, and
// the secrets exported to a passphrase and verified), `clusterdeck upgrade --talos` rolled one node
// at a time, killed mid-way and resumed, and `clusterdeck destroy` ending with every slot off on
// the board and the cluster's sealed files gone; then `clusterdeck restore` rebuilding it from the
// profile, the exported secrets and the snapshot. Skipped where the peers are not built.
import { execFile, spawn } from 'node:child_process'
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { VirtualBoard } from '../../src-main/virtual-board/virtual-board-server.ts'
import { chartsDir, helmEnv } from '../support/chart-repository.ts'
import type { ImageServer } from '../support/image-server.ts'
import { findPeers } from '../support/peers.ts'
import { runCli } from '../support/run-cli.ts'
import { testSchematicId } from '../support/talos-cli-setup.ts'
import { deployTalosLab, type TalosLab } from './support/talos-lab.ts'

const run = promisify(execFile)
const bin = fileURLToPath(new URL('../../bin/clusterdeck.js', import.meta.url))
const cluster = inject('loopbackCluster')
const peers = findPeers(['talosctl', 'helm'])
const etcdutl = findPeers(['etcdutl'])
const skip = cluster.skip ?? (peers.ok ? undefined : peers.reason)
const passphrase = 'correct horse battery staple'

let lab: TalosLab
let board: VirtualBoard
let images: ImageServer
let env: NodeJS.ProcessEnv
let secretsFile: string
let savedSnapshot: string

const record = () => lab.record()

/** The Talos version each virtual node reports, in slot order (turing-cp1, then the workers). */
const versions = () => [0, 1, 2, 3].map((i) => board.talos.node(i)!.version)

describe.skipIf(skip)(`day 2 of a virtual Talos cluster${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    lab = await deployTalosLab({
      cluster,
      tools: peers.ok ? { talosctl: peers.binaries.talosctl, helm: peers.binaries.helm } : { talosctl: '' },
    })
    ;({ board, images, env } = lab)
    secretsFile = join(lab.dir, 'lab-secrets.age')
    savedSnapshot = join(lab.dir, 'lab-etcd.snapshot')
  }, 240_000)

  afterAll(async () => {
    await lab?.close()
  })

  it('backs up etcd into the data directory and exports the secrets encrypted to a passphrase', async () => {
    const backup = await runCli(['backup', 'lab', '--secrets-to', secretsFile, '--passphrase-stdin'], {
      env,
      stdin: passphrase,
    })
    expect(backup.code, backup.stdout + backup.stderr).toBe(0)
    expect(backup.stdout).toMatch(
      /✓ Snapshot etcd on turing-cp1 — Snapshot of etcd from turing-cp1: \d+ bytes/,
    )
    expect(backup.stdout).toMatch(/Secrets \(talos-secrets, talosconfig, kubeconfig\) written to /)

    const listed = JSON.parse((await runCli(['cluster', 'backups', 'lab', '--json'], { env })).stdout) as {
      file: string
      sizeBytes: number
      sha256: string
    }[]
    expect(listed).toHaveLength(1)
    const snapshot = listed[0]!
    expect(snapshot.file.startsWith(join(env.CLUSTERDECK_HOME!, 'clusters', record().id, 'backups'))).toBe(
      true,
    )
    expect(readFileSync(snapshot.file).length).toBe(snapshot.sizeBytes)
    // Kept apart for the restore at the end: a destroy deletes the cluster's backups.
    copyFileSync(snapshot.file, savedSnapshot)
    if (etcdutl.ok) {
      const { stdout } = await run(etcdutl.binaries.etcdutl, [
        'snapshot',
        'status',
        snapshot.file,
        '-w',
        'json',
      ])
      expect(JSON.parse(stdout)).toMatchObject({ totalKey: expect.any(Number), revision: expect.any(Number) })
      expect((JSON.parse(stdout) as { totalKey: number }).totalKey).toBeGreaterThan(0)
    }

    // No secret reached the output: the kubeconfig's client key is in the export, not in any log.
    const kubeconfigFile = join(lab.dir, 'lab-kubeconfig')
    expect((await runCli(['cluster', 'kubeconfig', 'lab', '-o', kubeconfigFile], { env })).code).toBe(0)
    const clientKey = /client-key-data: (\S+)/.exec(readFileSync(kubeconfigFile, 'utf8'))![1]!
    expect(backup.stdout + backup.stderr).not.toContain(clientKey)
    expect(readFileSync(secretsFile, 'utf8')).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----/)
    expect(readFileSync(secretsFile, 'utf8')).not.toContain(clientKey)

    const verified = await runCli(['backup', 'verify', secretsFile, '--passphrase-stdin'], {
      env,
      stdin: passphrase,
    })
    expect(verified.code, verified.stderr).toBe(0)
    expect(verified.stdout).toMatch(
      /^OK: the secrets of "lab" \(talos\), exported .*: talos-secrets, talosconfig, kubeconfig$/m,
    )
    const wrong = await runCli(['backup', 'verify', secretsFile, '--passphrase-stdin'], {
      env,
      stdin: 'not the passphrase at all',
    })
    expect(wrong.code).not.toBe(0)
    expect(wrong.stderr).toMatch(/could not be decrypted with that passphrase/)
  })

  it('upgrades Talos one node at a time, killed mid-way and resumed at the node it stopped on', async () => {
    const refused = await runCli(['upgrade', 'lab', '--talos', 'v1.14.0'], { env })
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/from v1\.12\.0 go to v1\.13\.x first/)

    const dryRun = await runCli(['upgrade', 'lab', '--talos', 'v1.12.1', '--dry-run'], { env })
    expect(dryRun.code, dryRun.stderr).toBe(0)
    expect(dryRun.stdout).toMatch(
      /upgrade:turing-cp1\s+Upgrade turing-cp1 to Talos v1\.12\.1\s+← backup:save/,
    )
    expect(versions()).toEqual(['v1.12.0', 'v1.12.0', 'v1.12.0', 'v1.12.0'])

    // Watch the versions while the upgrade runs: the upgraded nodes are always a prefix of the
    // plan's order, so never two at once out of turn. Killed once the first worker is upgraded.
    const seen: string[] = []
    const child = spawn(process.execPath, [bin, 'upgrade', 'lab', '--talos', 'v1.12.1'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        const now = versions()
          .map((v) => (v === 'v1.12.1' ? 'new' : 'old'))
          .join(',')
        if (seen.at(-1) !== now) seen.push(now)
        if (/✓ Upgrade turing-w1 to Talos v1\.12\.1/.test(stdout)) {
          clearInterval(timer)
          child.kill('SIGKILL')
          resolve()
        }
      }, 50)
      child.on('exit', () => (clearInterval(timer), reject(new Error(`upgrade ended first:\n${stdout}`))))
    })
    expect(stdout).toMatch(/✓ Snapshot etcd on turing-cp1/)
    expect(seen[0]).toBe('old,old,old,old')
    expect(seen).toContain('new,old,old,old')
    for (const state of seen) expect(state).toMatch(/^(new,)*(old,)*(new|old)$/)

    const resumed = await runCli(['upgrade', 'lab', '--resume'], { env })
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
    // The nodes done before the kill are found in place; the rest are upgraded now.
    expect(resumed.stdout).not.toMatch(/▶ Upgrade turing-(cp1|w1)/)
    expect(resumed.stdout).toMatch(
      /✓ Upgrade turing-w3 to Talos v1\.12\.1 — turing-w3 moved from Talos v1\.12\.0 to v1\.12\.1/,
    )
    expect(resumed.stdout).toMatch(/Run done/)

    // The real talosctl sees every node on the new version, with the installer of its schematic.
    const talosconfig = join(lab.dir, 'lab-talosconfig')
    expect((await runCli(['cluster', 'talosconfig', 'lab', '-o', talosconfig], { env })).code).toBe(0)
    for (let i = 0; i < 4; i++) {
      const address = board.talos.node(i)!.address
      const { stdout: version } = await run(peers.ok ? peers.binaries.talosctl : '', [
        '--talosconfig',
        talosconfig,
        'version',
        '-n',
        address,
        '-e',
        address,
      ])
      expect(version.split(/^Server:/m)[1]).toMatch(/Tag:\s+v1\.12\.1/)
    }
    expect(record().versions.talos).toBe('v1.12.1')
    const log = await runCli(['cluster', 'backups', 'lab', '--json'], { env })
    // The upgrade snapshotted etcd first: a second snapshot is kept, newest first.
    const kept = JSON.parse(log.stdout) as { file: string; takenAt: string }[]
    expect(kept).toHaveLength(2)
    // A backup keeping one deletes the older two.
    const trimmed = await runCli(['backup', 'lab', '--keep', '1'], { env })
    expect(trimmed.code, trimmed.stdout + trimmed.stderr).toBe(0)
    expect(trimmed.stdout).toMatch(/deleted 2 older beyond the newest 1/)
    const left = JSON.parse((await runCli(['cluster', 'backups', 'lab', '--json'], { env })).stdout) as {
      file: string
    }[]
    expect(left).toHaveLength(1)
    expect(kept.map((backup) => existsSync(backup.file))).toEqual([false, false])
    // Each node was upgraded with the installer of the schematic its image came from.
    expect(resumed.stderr).toContain(
      `turing-w3 runs Talos v1.12.0: upgrading it with ${new URL(images.url('/')).host}/metal-installer/${testSchematicId}:v1.12.1`,
    )
  })

  it('destroys the cluster only with its name typed: every slot off on the board, its secrets gone', async () => {
    const unconfirmed = await runCli(['destroy', 'lab'], { env })
    expect(unconfirmed.code).toBe(2)
    expect(unconfirmed.stderr).toMatch(/needs the cluster’s name typed as confirmation/)
    const mistyped = await runCli(['destroy', 'lab', '--confirm', 'lab2'], { env })
    expect(mistyped.stderr).toMatch(/nothing was destroyed/)
    expect(versions()).toEqual(['v1.12.1', 'v1.12.1', 'v1.12.1', 'v1.12.1'])

    const dryRun = await runCli(['destroy', 'lab', '--dry-run', '--wipe-nvme'], { env })
    expect(dryRun.stdout).toMatch(
      /Reset turing-w1 \(rack-1 slot 2\): wipe STATE partition, EPHEMERAL partition, NVMe \/dev\/nvme0n1/,
    )

    // An add-on installed (the project's stand-in Portainer chart): the destroy uninstalls it first.
    const kubeconfig = join(lab.dir, 'lab-kubeconfig')
    const helm = (args: string[]) =>
      run(peers.ok ? peers.binaries.helm : '', [...args, '--kubeconfig', kubeconfig], {
        env: helmEnv(join(lab.dir, 'helm')),
      })
    await helm([
      'install',
      'portainer',
      join(chartsDir, 'portainer'),
      '--namespace',
      'portainer',
      '--create-namespace',
    ])

    const id = record().id
    const secretsDir = join(env.CLUSTERDECK_HOME!, 'clusters', id, 'secrets')
    expect(readdirSync(secretsDir).length).toBeGreaterThan(0)
    const destroyed = await runCli(['destroy', 'lab', '--confirm', 'lab'], { env })
    expect(destroyed.code, destroyed.stdout + destroyed.stderr).toBe(0)
    expect(destroyed.stdout).toMatch(
      /✓ Uninstall Portainer — Uninstalled Portainer \(release portainer in portainer\)/,
    )
    expect(destroyed.stdout).toMatch(
      /↷ Uninstall MetalLB — already in place: no metallb release in namespace metallb-system/,
    )
    expect(JSON.parse((await helm(['list', '-A', '--output', 'json'])).stdout)).not.toContainEqual(
      expect.objectContaining({ name: 'portainer' }),
    )
    expect(destroyed.stdout).toMatch(
      /✓ Reset turing-cp1 \(rack-1 slot 1\): wipe STATE partition, EPHEMERAL partition/,
    )
    // A halted virtual node is off on the board already; the BMC's report is what counts either way.
    expect(destroyed.stdout).toMatch(/[✓↷] Power off turing-w3 \(rack-1 slot 4\) — .*slot 4 (powered )?off/)

    const power = await runCli(['bmc', '--board', 'rack-1', 'power', 'status', '--json'], { env })
    expect(power.code, power.stderr).toBe(0)
    const slots = JSON.parse(power.stdout) as { node: number; poweredOn: boolean | null }[]
    expect(slots.map((slot) => [slot.node, slot.poweredOn])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, false],
    ])
    // Each node wiped what the plan named before powering off.
    for (let i = 0; i < 4; i++) expect(board.talos.node(i)!.wipedPartitions).toEqual(['STATE', 'EPHEMERAL'])
    expect(existsSync(secretsDir)).toBe(false)
    expect(existsSync(join(env.CLUSTERDECK_HOME!, 'clusters', id, 'backups'))).toBe(false)
    expect(record()).toMatchObject({ artifacts: [], apiEndpoint: null, destroyedAt: expect.any(String) })
  })

  it('rebuilds the destroyed cluster from its profile, the exported secrets and the etcd snapshot', async () => {
    // First from a copy whose integrity hash (etcd's sha256 trailer) is broken: the node refuses it.
    const snapshot = join(lab.dir, 'restore-etcd.snapshot')
    const bytes = readFileSync(savedSnapshot)
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1)
    writeFileSync(snapshot, bytes)
    const corrupt = await runCli(
      [
        'restore',
        'lab',
        '--snapshot',
        snapshot,
        '--secrets',
        secretsFile,
        '--passphrase-stdin',
        '--through',
        'cluster-bootstrap',
      ],
      { env, stdin: passphrase },
    )
    expect(corrupt.code).not.toBe(0)
    expect(corrupt.stdout).toMatch(
      /Sealed the secrets of "lab" \(talos-secrets, talosconfig, kubeconfig\) into lab/,
    )
    expect(corrupt.stdout).toMatch(
      /✗ Bootstrap etcd on turing-cp1, recovered from [\s\S]*snapshot file integrity check failed/,
    )
    expect(corrupt.stdout).toMatch(/↷ Generate the cluster secrets — already in place/)
    expect(board.talos.node(0)!.recoveredFrom).toEqual([])

    // The intact snapshot in its place, the run resumed: the bootstrap recovers etcd from it.
    copyFileSync(savedSnapshot, snapshot)
    const restored = await runCli(['restore', 'lab', '--resume'], { env })
    expect(restored.code, restored.stdout + restored.stderr).toBe(0)
    expect(restored.stdout).toMatch(
      /✓ Bootstrap etcd on turing-cp1, recovered from the snapshot restore-etcd\.snapshot — .*recovered from /,
    )
    expect(restored.stdout).toMatch(/Run done: Finished Cluster bootstrap\./)
    // The first control plane took the snapshot (its integrity hash checked) and recovered from it.
    expect(board.talos.node(0)!.recoveredFrom).toEqual([{ bytes: statSync(savedSnapshot).size }])
    // Same secrets, same cluster: the talosconfig exported before the destroy still opens it.
    const address = board.talos.node(0)!.address
    const { stdout } = await run(peers.ok ? peers.binaries.talosctl : '', [
      '--talosconfig',
      join(lab.dir, 'lab-talosconfig'),
      'version',
      '-n',
      address,
      '-e',
      address,
    ])
    expect(stdout.split(/^Server:/m)[1]).toMatch(/Tag:\s+v1\.12\.0/)
    expect(record()).toMatchObject({ destroyedAt: null, apiEndpoint: expect.stringMatching(/^https:/) })
  })
})
