// The Talos bootstrap phase end to end with the real talosctl: the talos-rk1-longhorn template
// deployed on the virtual board (its nodes are virtual Talos nodes backed by the loopback
// Kubernetes cluster), cancelled during apply and during bootstrap and resumed — one bootstrap in
// total; the exported talosconfig and kubeconfig used against the nodes and the cluster; a
// the named failures; and no key of the secrets bundle anywhere in
// the data directory, the SQLite file, the logs or the run report. Skipped where the peers are not built.
import { readdirSync, writeFileSync } from 'node:fs'
import { execFile } from 'node:child_process'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { parse } from 'yaml'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createAppCore, type AppCore } from '../../src-main/core/app-core.ts'
import { EventBus } from '../../src-main/core/event-bus.ts'
import { listNodeReadiness } from '../../src-main/kube/kube-nodes.ts'
import { openDatabase } from '../../src-main/store/database.ts'
import { SettingsStore } from '../../src-main/store/settings-store.ts'
import { talosSteps } from '../../src-main/talos/talos-steps.ts'
import { pinnedTools } from '../../src-main/tools/tool-manifest.ts'
import { ToolsService } from '../../src-main/tools/tools-service.ts'
import type { VirtualBoard } from '../../src-main/virtual-board/virtual-board-server.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { RequestInput, RequestName, RequestOutput } from '../../src-shared/contract/index.ts'
import type { Run } from '../../src-shared/lifecycle/run-schema.ts'
import type { ClusterProfile } from '../../src-shared/profiles/profile-schema.ts'
import { profileFromTemplate } from '../../src-shared/profiles/profile-templates.ts'
import { fakeStepContext } from '../support/fake-step-context.ts'
import { filesContaining } from '../support/find-in-files.ts'
import { imageBytes, sha256, writeImage } from '../support/make-image.ts'
import { MemorySecretStore } from '../support/memory-secret-store.ts'
import { findPeers } from '../support/peers.ts'
import { makeTempDir } from '../support/temp-dir.ts'
import { saveBoard } from '../support/virtual-bmc.ts'
import { startLoopbackBoard } from './support/loopback-board.ts'

const run = promisify(execFile)
const cluster = inject('loopbackCluster')
const peers = findPeers(['talosctl'])
const skip = cluster.skip ?? (peers.ok ? undefined : peers.reason)
const talosctl = peers.ok ? peers.binaries.talosctl : ''
const hosts = ['turing-cp1', 'turing-w1', 'turing-w2', 'turing-w3']

let board: VirtualBoard
let dir: ReturnType<typeof makeTempDir>
let core: AppCore
let profile: ClusterProfile

async function call<N extends RequestName>(name: N, input: RequestInput<N>): Promise<RequestOutput<N>> {
  const result = await core.dispatch(name, input)
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`)
  return result.value as RequestOutput<N>
}

const stateOf = (run: Run) => Object.fromEntries(run.steps.map((step) => [step.stepId, step.state]))

const isRunning = (runId: string, stepId: string) =>
  core.lifecycle.snapshot(runId).steps.some((s) => s.stepId === stepId && s.state === 'running')

/** Cancels the run as soon as `when` holds; resolves with the settled run. */
async function cancelWhen(runId: string, what: string, when: () => boolean): Promise<Run> {
  for (let i = 0; i < 6000; i++) {
    if (when()) {
      await call('lifecycle.cancel', { runId })
      return core.lifecycle.settled(runId)
    }
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  const failed = core.lifecycle.snapshot(runId).steps.filter((s) => s.state === 'failed')
  throw new Error(`never saw ${what}: ${JSON.stringify(failed)}`)
}

async function opened(name: string): Promise<string> {
  const record = await call('clusters.get', { ref: 'lab' })
  return (await core.clusters.openSecret(record.id, name)).toString('utf8')
}

const bootstraps = () => [0, 1, 2, 3].reduce((sum, i) => sum + (board.talos.node(i)?.bootstraps ?? 0), 0)

describe.skipIf(skip)(
  `Talos bootstrap on the virtual board with the real talosctl${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    beforeAll(async () => {
      board = await startLoopbackBoard(cluster)
      dir = makeTempDir()
      core = createAppCore({
        dataDir: join(dir.path, 'data'),
        secrets: new MemorySecretStore(),
        transport: 'cli',
        flashPollIntervalMs: 50,
        bootPollMs: 200,
      })
      await saveBoard(core, board, 'rack-1')
      await call('tools.setPath', { tool: 'talosctl', path: talosctl })
      const raw = imageBytes(3 * 1024 * 1024, 11)
      await call('images.importFile', { path: writeImage(join(dir.path, 'talos-v1.12.0-arm64.raw'), raw) })
      const template = profileFromTemplate('talos-rk1-longhorn', { name: 'lab', board: 'rack-1' })
      profile = {
        ...template,
        versions: { ...template.versions, talos: 'v1.12.0' },
        image: { cached: sha256(raw) },
      }
      profile.timeouts.bootSeconds = 60
      await call('profiles.save', { profile })
    })

    afterAll(async () => {
      await core?.close()
      await board?.close()
      dir?.remove()
    })

    it('deploys through bootstrap, cancelled during apply and during bootstrap, and bootstraps once', async () => {
      const started = await call('lifecycle.deploy', { profile: 'lab', throughPhase: 'cluster-bootstrap' })
      // Stopped once turing-cp1 took its config, while the step waits for it to come back configured.
      const duringApply = await cancelWhen(
        started.id,
        'turing-cp1 rebooting into its config',
        () => isRunning(started.id, 'talos:apply:turing-cp1') && board.talos.node(0)?.mode !== 'maintenance',
      )
      expect(duringApply.state).toBe('cancelled')

      await call('lifecycle.resume', { runId: started.id })
      const duringBootstrap = await cancelWhen(started.id, 'the bootstrap running', () =>
        isRunning(started.id, 'talos:bootstrap'),
      )
      expect(duringBootstrap.state).toBe('cancelled')

      await call('lifecycle.resume', { runId: started.id })
      const done = await core.lifecycle.settled(started.id)
      expect(done.state, JSON.stringify(done.steps.filter((s) => s.state !== 'done'))).toBe('done')
      expect(stateOf(done)).toMatchObject({
        'talos:secrets': 'done',
        'talos:bootstrap': 'done',
        'talos:export': 'done',
        'cluster:nodes-ready': 'done',
      })
      expect(bootstraps()).toBe(1)
      expect(done.steps.find((s) => s.stepId === 'cluster:nodes-ready')!.message).toBe(
        'All 4 nodes are Ready in Kubernetes, with apid, kubelet and (on control planes) etcd running healthy',
      )

      // The record knows where each node's API answers: its own loopback address.
      const record = await call('clusters.get', { ref: 'lab' })
      expect(record.nodes.map((node) => [node.hostname, node.apiAddress])).toEqual(
        hosts.map((host, i) => [host, board.talos.node(i)!.address]),
      )
      expect(record.artifacts.map((a) => a.name).sort()).toEqual([
        'kubeconfig',
        'machine-config-turing-cp1',
        'machine-config-turing-w1',
        'machine-config-turing-w2',
        'machine-config-turing-w3',
        'talos-secrets',
        'talosconfig',
      ])
      // No private folder of talosctl's is left behind.
      expect(
        readdirSync(tmpdir()).filter((name) => name.startsWith(`clusterdeck-talos-${process.pid}-`)),
      ).toEqual([])
    })

    it('hands out a talosconfig the real talosctl reaches every node with, and a kubeconfig listing the four nodes', async () => {
      const talosconfigPath = join(dir.path, 'talosconfig')
      writeFileSync(talosconfigPath, await opened('talosconfig'), { mode: 0o600 })
      for (let i = 0; i < 4; i++) {
        const address = board.talos.node(i)!.address
        const { stdout } = await run(talosctl, ['--talosconfig', talosconfigPath, 'version', '-n', address])
        expect(stdout).toMatch(
          new RegExp(`NODE:\\s+${address.replace(/\./g, '\\.')}\\n\\s+Tag:\\s+v1\\.12\\.0`),
        )
      }
      const names = (await listNodeReadiness(await opened('kubeconfig'))).map((node) => node.name)
      expect(names).toEqual(expect.arrayContaining(hosts))
    })

    it('keeps every key of the secrets bundle out of the data directory, the SQLite file, the logs and the run report', async () => {
      const bundle = parse(await opened('talos-secrets')) as {
        cluster: { secret: string }
        secrets: Record<string, string>
        trustdinfo: { token: string }
        certs: Record<string, { key: string }>
      }
      const keys = [
        bundle.cluster.secret,
        bundle.trustdinfo.token,
        ...Object.values(bundle.secrets),
        ...Object.values(bundle.certs).map((cert) => cert.key),
      ]
      // Each key as it is in the bundle (base64) and its PEM body as talosctl could print it.
      const needles = keys.flatMap((key) => {
        const pem = Buffer.from(key, 'base64').toString('utf8').split('\n')[1]
        return pem && pem.length > 16 ? [key, pem] : [key]
      })
      expect(needles.length).toBeGreaterThan(8)
      const runs = await call('lifecycle.runs', { profile: 'lab' })
      const texts: string[] = []
      for (const listed of runs) {
        const detail = await call('lifecycle.run', { runId: listed.id })
        for (const step of detail.steps)
          texts.push((await call('lifecycle.stepLog', { runId: listed.id, stepId: step.stepId })).log)
        texts.push((await call('lifecycle.report', { runId: listed.id, format: 'html' })).content)
      }
      expect(texts.join('\n')).toMatch(/talosctl --talosconfig \S+ apply-config --insecure/)
      for (const needle of needles) {
        expect(filesContaining(join(dir.path, 'data'), needle)).toEqual([])
        expect(texts.some((text) => text.includes(needle))).toBe(false)
      }
    })

    /** The Talos steps run directly, with their own tools manager looking for talosctl in `searchPath`. */
    async function withSteps<T>(
      searchPath: string,
      work: (steps: ReturnType<typeof talosSteps>) => Promise<T>,
      imageSourceUrl: (sha256: string) => string | null = () => null,
    ): Promise<T> {
      const dataDir = join(dir.path, `tools-${Math.random().toString(36).slice(2)}`)
      const tools = new ToolsService({
        dataDir,
        settings: new SettingsStore(openDatabase(dataDir)),
        events: new EventBus(),
        manifest: pinnedTools,
        searchPath,
      })
      try {
        return await work(
          talosSteps({
            tools,
            boards: { get: async () => ({}) as never },
            imageSourceUrl,
            appliedConfigs: { sha256Of: () => null, record: () => undefined },
          }),
        )
      } finally {
        await tools.close()
      }
    }

    it('gives each node the installer of the factory schematic its image came from', async () => {
      const schematic = '85f683902139269fbc5a7f64ea94a694d31e0b3d94347a225223fcbd042083ae'
      const imageStep = `image:cached-${profile.image && 'cached' in profile.image ? profile.image.cached.slice(0, 12) : ''}`
      const files = await withSteps(
        dirname(talosctl),
        async (steps) => {
          const secrets = fakeStepContext(profile, 'talos:secrets', 'talos.generate-secrets')
          await steps['talos.generate-secrets'].run(secrets)
          const context = fakeStepContext(profile, 'talos:configs', 'talos.generate-configs', {
            sealed: Object.fromEntries(secrets.files),
            outputs: { [imageStep]: { sha256: 'the-image' } },
          })
          const result = await steps['talos.generate-configs'].run(context)
          expect(Object.keys(result.output!.configSha256 as object)).toEqual(hosts)
          return context.files
        },
        (sha256) =>
          sha256 === 'the-image'
            ? `https://factory.talos.dev/image/${schematic}/v1.12.0/metal-arm64.raw.xz`
            : null,
      )
      const config = parse(files.get('machine-config-turing-w2')!.split('\n---\n')[0]!) as {
        machine: { install: { image: string } }
      }
      expect(config.machine.install.image).toBe(`factory.talos.dev/metal-installer/${schematic}:v1.12.0`)
    })

    it('fails a config that does not validate by name, sealing nothing', async () => {
      const broken = {
        ...profile,
        nodes: profile.nodes.map((node) => ({ ...node, address: '10.10.88.999' })),
      }
      const { error, files } = await withSteps(dirname(talosctl), async (steps) => {
        const secrets = fakeStepContext(broken, 'talos:secrets', 'talos.generate-secrets')
        await steps['talos.generate-secrets'].run(secrets)
        const context = fakeStepContext(broken, 'talos:configs', 'talos.generate-configs', {
          sealed: Object.fromEntries(secrets.files),
        })
        const caught = await steps['talos.generate-configs'].run(context).catch((failure: unknown) => failure)
        return { error: caught as AppError, files: context.files }
      })
      expect(error).toBeInstanceOf(AppError)
      expect(error.code).toBe('invalid_input')
      expect(error.message).toMatch(
        /^A machine config made from the profile does not validate, so nothing was applied: talosctl validate .*invalid CIDR address: 10\.10\.88\.999\/24/s,
      )
      expect([...files.keys()]).toEqual(['talos-secrets'])
    })

    it('names what to install when talosctl is missing or does not fit the profile’s Talos version', async () => {
      const failureWith = (searchPath: string, talosVersion: string) =>
        withSteps(searchPath, async (steps) => {
          const versioned = { ...profile, versions: { ...profile.versions, talos: talosVersion } }
          const context = fakeStepContext(versioned, 'talos:secrets', 'talos.generate-secrets')
          const error = await steps['talos.generate-secrets'].run(context).catch((caught: unknown) => caught)
          expect(error).toBeInstanceOf(AppError)
          return error as AppError
        })
      const missing = await failureWith(join(dir.path, 'empty-path'), 'v1.12.0')
      expect(missing.code).toBe('tool_missing')
      expect(missing.message).toMatch(/^"Generate the cluster secrets" needs talosctl for Talos v1\.12\.0: /)
      expect(missing.hint).toMatch(/clusterdeck tools install talosctl --for v1\.12\.0/)

      const wrong = await failureWith(dirname(talosctl), 'v1.13.9')
      expect(wrong.code).toBe('tool_missing')
      expect(wrong.message).toContain(`(found ${talosctl} v1.12.0, which does not fit)`)
    })

    it('fails, named, a node that never reaches maintenance mode', async () => {
      const raw = imageBytes(1024 * 1024, 12)
      await call('images.importFile', { path: writeImage(join(dir.path, 'armbian-trixie.raw'), raw) })
      const stray: ClusterProfile = {
        ...profile,
        name: 'stray',
        network: { ...profile.network, apiEndpoint: '10.10.88.76' },
        nodes: [
          {
            ...profile.nodes[3]!,
            hostname: 'stray-cp1',
            role: 'control-plane',
            image: { cached: sha256(raw) },
          },
        ],
        timeouts: { bootSeconds: 10, readySeconds: 900 },
      }
      await call('profiles.save', { profile: stray })
      const started = await call('lifecycle.deploy', { profile: 'stray', throughPhase: 'cluster-bootstrap' })
      const failed = await core.lifecycle.settled(started.id)
      expect(failed.state).toBe('failed')
      const boot = failed.steps.find((s) => s.stepId === 'boot:stray-cp1')!
      expect(boot.state).toBe('failed')
      expect(boot.message).toMatch(
        /^stray-cp1 did not reach Talos maintenance mode within 10 s: .*it never printed the address it is reachable at\./,
      )
      expect(stateOf(failed)['talos:apply:stray-cp1']).toBe('blocked')
    })
  },
)
