// `clusterdeck deploy` of the k3s-rk1-armbian template as a user runs it, on the virtual board whose
// virtual Armbian nodes stand on the loopback cluster: killed (SIGKILL, as a crash would) once an
// agent's join started, then resumed to Ready — the K3s server installed exactly once, the add-ons
// from the stand-in charts with the real helm. The exported kubeconfig then lists the four nodes
// Ready to the peers' kubectl; `node exec` runs commands on a node with the remote exit code; a
// node whose host key changed is refused naming both fingerprints until `node ssh-trust` pins the
// new one. Host names are unique per run: the loopback cluster is shared with the other peers
// tests. Skipped where the peers are not built.
import { execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { stringify } from 'yaml'
import { addonCatalogue } from '../../src-shared/addons/addon-catalogue.ts'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import type { ClusterProfile } from '../../src-shared/profiles/profile-schema.ts'
import type { VirtualBoard } from '../../src-main/virtual-board/virtual-board-server.ts'
import { api, login } from '../integration/virtual-board-helpers.ts'
import { serveChartRepository, type ChartRepository } from '../support/chart-repository.ts'
import { armbianDiskImage, sha256, writeImage } from '../support/make-image.ts'
import { findPeers } from '../support/peers.ts'
import { removeAddons } from '../support/remove-addons.ts'
import { runCli } from '../support/run-cli.ts'
import { makeTempDir } from '../support/temp-dir.ts'
import {
  armbianFileName,
  flashArmbian,
  powerOnArmbian,
  waitForArmbianBoot,
} from '../support/virtual-armbian.ts'
import { startLoopbackBoard } from './support/loopback-board.ts'

const run = promisify(execFile)
const bin = fileURLToPath(new URL('../../bin/clusterdeck.js', import.meta.url))
const cluster = inject('loopbackCluster')
const peers = findPeers(['helm', 'kubectl'])
const skip = cluster.skip ?? (peers.ok ? undefined : peers.reason)

const suffix = randomBytes(3).toString('hex')
const base = profileFromTemplate('k3s-rk1-armbian', { name: 'lab', board: 'rack-1' })
const hostnames = ['k3s-cp1', 'k3s-w1', 'k3s-w2', 'k3s-w3'].map((name) => `${name}-${suffix}`)
const [server, , , rekeyed] = hostnames as [string, string, string, string]

let board: VirtualBoard
let dir: ReturnType<typeof makeTempDir>
let env: NodeJS.ProcessEnv
let repository: ChartRepository
let kubeconfigPath: string

/** Starts `clusterdeck deploy lab …` and kills it with SIGKILL once its output matches `until`. */
function deployKilledAt(args: string[], until: RegExp): Promise<string> {
  const child = spawn(process.execPath, [bin, 'deploy', 'lab', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      if (until.test(stdout)) {
        child.kill('SIGKILL')
        resolve(stdout)
      }
    })
    child.on('exit', () => reject(new Error(`deploy ended before it could be killed:\n${stdout}${stderr}`)))
  })
}

const cli = async (args: string[], stdin?: string) => {
  const result = await runCli(args, { env, ...(stdin === undefined ? {} : { stdin }) })
  expect(result.code, `${args.join(' ')}: ${result.stdout}${result.stderr}`).toBe(0)
  return result
}

describe.skipIf(skip)(`clusterdeck deploy of a K3s profile${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    board = await startLoopbackBoard(cluster)
    repository = await serveChartRepository(
      cluster.helm,
      addonCatalogue.map((addon) => addon.chart.name),
    )
    dir = makeTempDir()
    kubeconfigPath = join(dir.path, 'lab-kubeconfig')
    env = {
      CLUSTERDECK_HOME: join(dir.path, 'home'),
      CLUSTERDECK_BMC_PASSWORD: '',
      CLUSTERDECK_CHART_REPOSITORY: repository.url,
    }
    await cli(
      ['board', 'add', 'rack-1', '--address', board.url, '--password-stdin'],
      board.credentials.password,
    )
    await cli(['bmc', '--board', 'rack-1', '--trust-on-first-use', 'info'])
    await cli(['tools', 'set-path', 'helm', peers.ok ? peers.binaries.helm : ''])
    // An Armbian image by its partitions (an ext4 root labelled armbi_root), as the board recognises it.
    const image = armbianDiskImage()
    await cli(['image', 'import', writeImage(join(dir.path, armbianFileName), image)])
    const profile: ClusterProfile = {
      ...base,
      image: { cached: sha256(image) },
      nodes: base.nodes.map((node, i) => ({ ...node, hostname: hostnames[i]! })),
      timeouts: { ...base.timeouts, bootSeconds: 60 },
    }
    const profileFile = join(dir.path, 'lab.yaml')
    writeFileSync(profileFile, stringify(profile))
    await cli(['deploy', profileFile, '--dry-run'])
    // The root password the first login sets: the user's, from the keychain.
    await cli(['node', 'password', 'lab'], `root-${suffix}`)
  })

  // The add-ons' namespaces are waited for until gone (up to 90 s), hence the longer timeout.
  afterAll(async () => {
    await board?.close()
    await repository?.close()
    const kubeConfig = new KubeConfig()
    kubeConfig.loadFromFile(cluster.kubeconfigPath)
    const core = kubeConfig.makeApiClient(CoreV1Api)
    // A stopped virtual node's Node leaves the cluster; the pods bound to it would only go at the
    // controller manager's next sweep of orphans, and their namespaces with them.
    for (const name of hostnames) {
      await core.deleteNode({ name }).catch(() => undefined)
      const pods = await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${name}` })
      for (const pod of pods.items)
        await core
          .deleteNamespacedPod({
            name: pod.metadata!.name!,
            namespace: pod.metadata!.namespace!,
            gracePeriodSeconds: 0,
          })
          .catch(() => undefined)
    }
    if (dir) await removeAddons(cluster.helm, cluster.kubeconfigPath, join(dir.path, 'helm'))
    dir?.remove()
  }, 120_000)

  it('resumes a deploy killed during an agent’s join to Ready, installing the server once', async () => {
    const killed = await deployKilledAt([], /▶ Join k3s-w\d-\w+ as an agent/)
    expect(killed).toContain(`✓ Install the K3s server on ${server}`)

    const resumed = await runCli(['deploy', 'lab', '--resume'], { env })
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
    expect(resumed.stdout).not.toMatch(/ [✗⊘■] /)
    expect(resumed.stdout).toMatch(/✓ Cluster ready — The cluster is Ready: 4 nodes Ready, MetalLB, Traefik/)
    expect(resumed.stdout).toMatch(/Run done: Finished Ready\./)
    // The install script ran once on the server and once on each agent, however often steps ran.
    expect(board.armbian.node(0)?.k3sInstalls()).toEqual(['server'])
    for (const index of [1, 2, 3]) expect(board.armbian.node(index)?.k3sInstalls()).toEqual(['agent'])
  })

  it('the exported kubeconfig lists the four nodes Ready to kubectl', async () => {
    await cli(['cluster', 'kubeconfig', 'lab', '-o', kubeconfigPath])
    const { stdout } = await run(peers.ok ? peers.binaries.kubectl : 'kubectl', [
      '--kubeconfig',
      kubeconfigPath,
      'get',
      'nodes',
      '-o',
      'json',
    ])
    const items = (
      JSON.parse(stdout) as {
        items: { metadata: { name: string }; status: { conditions: { type: string; status: string }[] } }[]
      }
    ).items
    for (const hostname of hostnames) {
      const node = items.find((item) => item.metadata.name === hostname)
      expect(node, hostname).toBeDefined()
      expect(node!.status.conditions).toContainEqual(
        expect.objectContaining({ type: 'Ready', status: 'True' }),
      )
    }
  })

  it('node exec runs a command as root and passes the remote exit code through', async () => {
    const active = await runCli(['node', 'exec', 'lab', server, '--', 'systemctl', 'is-active', 'k3s'], {
      env,
    })
    expect(active.code, active.stderr).toBe(0)
    expect(active.stdout).toBe('active\n')
    const failing = await runCli(['node', 'exec', 'lab', server, '--', 'sh -c "echo nope >&2; exit 7"'], {
      env,
    })
    expect(failing.code).toBe(7)
    expect(failing.stderr).toContain('nope')
  })

  it('refuses a node whose host key changed, naming both fingerprints, until the new key is trusted', async () => {
    const index = 3
    const before = board.armbian.node(index)!.hostKeyFingerprint!
    // The node's host key is made again at its next boot (as `ssh-keygen -A` does for a missing
    // one); the cluster's key stays authorised.
    await cli(['node', 'exec', 'lab', rekeyed, '--', 'rm -f /etc/ssh/ssh_host_ed25519_key*'])
    const token = await login(board)
    await api(board, token, `opt=set&type=power&node${index + 1}=0`)
    await api(board, token, `opt=set&type=power&node${index + 1}=1`)
    await waitForArmbianBoot(board, index, 2)
    const after = board.armbian.node(index)!.hostKeyFingerprint!
    expect(after).not.toBe(before)

    const refused = await runCli(['node', 'exec', 'lab', rekeyed, '--', 'true'], { env })
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toContain(before)
    expect(refused.stderr).toContain(after)
    expect(refused.stderr.match(/SHA256:/g)?.length).toBeGreaterThanOrEqual(2)
    expect(refused.stderr).toContain(`clusterdeck node ssh-trust lab ${rekeyed}`)

    await cli(['node', 'ssh-trust', 'lab', rekeyed, '--fingerprint', after])
    const through = await runCli(
      ['node', 'exec', 'lab', rekeyed, '--', 'systemctl', 'is-active', 'k3s-agent'],
      {
        env,
      },
    )
    expect(through.code, through.stderr).toBe(0)
    expect(through.stdout).toBe('active\n')
  })
  it('a reflashed node is refused until its new key is trusted, then says the cluster key no longer logs in', async () => {
    const index = 2
    const hostname = hostnames[index]!
    const before = board.armbian.node(index)!.hostKeyFingerprint!
    const token = await login(board)
    await flashArmbian(board, token, index)
    await powerOnArmbian(board, token, index)
    const after = board.armbian.node(index)!.hostKeyFingerprint!
    const refused = await runCli(['node', 'exec', 'lab', hostname, '--', 'true'], { env })
    expect(refused.code).toBe(255)
    expect(refused.stderr).toContain(before)
    expect(refused.stderr).toContain(after)
    await cli(['node', 'ssh-trust', 'lab', hostname, '--fingerprint', after])
    // Past the host key now: the fresh image knows only its first-boot password, not the cluster's key.
    const fresh = await runCli(['node', 'exec', 'lab', hostname, '--', 'true'], { env })
    expect(fresh.code).toBe(255)
    expect(fresh.stderr).toMatch(/refused every way Clusterdeck tried to log in as root/)
    expect(fresh.stderr).not.toContain('SHA256:')
  })
})
