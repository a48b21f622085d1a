// The tools manager against a local HTTP server and real binaries on disk. The official releases
// cannot be fetched here, so the served assets are the project's own stand-in executables (shell
// scripts that print a version), packed the way each release packs its binary: a bare file for
// talosctl, linux-amd64/helm inside a .tar.gz for helm. What is under test is the manager —
// download, resume, SHA-256 check before unpacking, the hash check before first use, version
// probing and the choice between the user's binaries and managed ones.
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { EventBus } from '../../src-main/core/event-bus.ts'
import { openDatabase, type Db } from '../../src-main/store/database.ts'
import { SettingsStore } from '../../src-main/store/settings-store.ts'
import type { ToolManifest } from '../../src-main/tools/tool-manifest.ts'
import { ToolsService } from '../../src-main/tools/tools-service.ts'
import { startImageServer, type ImageServer } from '../support/image-server.ts'
import { sha256 } from '../support/make-image.ts'
import { runCli } from '../support/run-cli.ts'
import { makeTempDir } from '../support/temp-dir.ts'
import { rejection } from '../support/app-error.ts'

let server: ImageServer
let dir: ReturnType<typeof makeTempDir>
let db: Db
let services: ToolsService[]

const talosctlStandIn = (tag: string) =>
  Buffer.from(
    `#!/bin/sh\nprintf 'Client:\\n\\tTag:         ${tag}\\n\\tSHA:         0000\\n'\n${'#'.repeat(64 * 1024)}\n`,
  )
const helmStandIn = (version: string) => Buffer.from(`#!/bin/sh\nprintf '${version}'\n`)

let helmTarball: Buffer

beforeAll(async () => {
  server = await startImageServer()
  const build = makeTempDir()
  mkdirSync(join(build.path, 'linux-amd64'))
  writeFileSync(join(build.path, 'linux-amd64', 'helm'), helmStandIn('v4.0.4'), { mode: 0o755 })
  writeFileSync(join(build.path, 'linux-amd64', 'README.md'), 'not the binary')
  execFileSync('tar', ['-czf', join(build.path, 'helm.tar.gz'), '-C', build.path, 'linux-amd64'])
  helmTarball = execFileSync('cat', [join(build.path, 'helm.tar.gz')])
  build.remove()
})
afterAll(() => server.close())

beforeEach(() => {
  dir = makeTempDir()
  db = openDatabase(join(dir.path, 'data'))
  services = []
})
afterEach(async () => {
  await Promise.all(services.map((service) => service.close()))
  db.close()
  dir.remove()
})

function manifestFor(talosctl: Buffer, options: { talosctlSha?: string } = {}): ToolManifest {
  server.files.set('/talosctl-linux-amd64', { body: talosctl, etag: '"t1"' })
  server.files.set('/helm-v4.0.4-linux-amd64.tar.gz', { body: helmTarball, etag: '"h1"' })
  return {
    talosctl: [
      {
        version: 'v1.13.7',
        assets: {
          'linux-amd64': {
            url: server.url('/talosctl-linux-amd64'),
            sha256: options.talosctlSha ?? sha256(talosctl),
            archive: { kind: 'raw' },
          },
        },
      },
    ],
    helm: [
      {
        version: 'v4.0.4',
        assets: {
          'linux-amd64': {
            url: server.url('/helm-v4.0.4-linux-amd64.tar.gz'),
            sha256: sha256(helmTarball),
            archive: { kind: 'tar.gz', entry: 'linux-amd64/helm' },
          },
        },
      },
    ],
  }
}

function serviceWith(
  manifest: ToolManifest,
  searchPath = join(dir.path, 'empty-path'),
  events = new EventBus(),
) {
  const service = new ToolsService({
    dataDir: join(dir.path, 'data'),
    settings: new SettingsStore(db),
    events,
    manifest,
    searchPath,
    platform: 'linux-amd64',
    timeoutMs: 2000,
  })
  services.push(service)
  return service
}

describe('installing a pinned release', () => {
  it('downloads, verifies and installs talosctl (raw) and helm (.tar.gz), then runs them', async () => {
    const events = new EventBus()
    const states: string[] = []
    events.on('tools.progress', (progress) => states.push(progress.state))
    const service = serviceWith(manifestFor(talosctlStandIn('v1.13.7')), undefined, events)

    const talosctl = await service.install('talosctl')
    expect(talosctl).toMatchObject({ version: 'v1.13.7', source: 'managed' })
    expect(talosctl.path).toBe(join(dir.path, 'data', 'tools', 'talosctl', 'v1.13.7', 'talosctl'))
    const helm = await service.install('helm')
    expect(helm).toMatchObject({ version: 'v4.0.4', source: 'managed' })
    expect(readdirSync(join(dir.path, 'data', 'tools', 'helm', 'v4.0.4')).sort()).toEqual([
      'helm',
      'installed.json',
    ])
    expect(states).toContain('downloading')
    expect(states.at(-1)).toBe('installed')

    expect(await service.resolve('talosctl', 'v1.13.9')).toMatchObject({
      source: 'managed',
      version: 'v1.13.7',
    })
    const statuses = await service.list('v1.13.9')
    expect(statuses.find((status) => status.name === 'helm')?.active).toMatchObject({ version: 'v4.0.4' })
  })

  it('refuses a download whose SHA-256 differs, and keeps nothing', async () => {
    const service = serviceWith(manifestFor(talosctlStandIn('v1.13.7'), { talosctlSha: 'ab'.repeat(32) }))
    const error = await rejection(service.install('talosctl'))
    expect(error.code).toBe('checksum_mismatch')
    expect(error.message).toContain('talosctl v1.13.7')
    expect(existsSync(join(dir.path, 'data', 'tools', 'talosctl', 'v1.13.7', 'talosctl'))).toBe(false)
    expect((await rejection(service.resolve('talosctl'))).code).toBe('tool_missing')
  })

  it('resumes a download cut midway with Range', async () => {
    const body = talosctlStandIn('v1.13.7')
    const manifest = manifestFor(body)
    server.files.set('/talosctl-linux-amd64', { body, etag: '"t1"', dropAfterBytes: 20_000, dropTimes: 1 })
    const service = serviceWith(manifest)
    await rejection(service.install('talosctl'))
    const installed = await service.install('talosctl')
    expect(installed.version).toBe('v1.13.7')
    const ranged = server.requests.filter(
      (request) => request.path === '/talosctl-linux-amd64' && request.range,
    )
    expect(ranged.at(-1)?.range).toMatch(/^bytes=\d+-$/)
  })

  it('never runs a managed binary changed since it was verified', async () => {
    const manifest = manifestFor(talosctlStandIn('v1.13.7'))
    const installed = await serviceWith(manifest).install('talosctl')
    writeFileSync(installed.path, talosctlStandIn('v1.13.7').toString().replace('0000', '6666'))
    chmodSync(installed.path, 0o755)
    const error = await rejection(serviceWith(manifest).resolve('talosctl'))
    expect(error.code).toBe('checksum_mismatch')
    expect(error.message).toContain('was changed since it was verified')
  })

  it('names the tool and the server when offline', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number }
        probe.close(() => resolve(port))
      })
    })
    const manifest = manifestFor(talosctlStandIn('v1.13.7'))
    manifest.talosctl[0]!.assets['linux-amd64']!.url = `http://127.0.0.1:${port}/talosctl-linux-amd64`
    const error = await rejection(serviceWith(manifest).install('talosctl'))
    expect(error.message).toContain('talosctl v1.13.7')
    expect(error.hint).toBeTruthy()
  })

  it('takes the binary out of a .zip release (helm on Windows), and names an entry the archive lacks', async () => {
    const build = makeTempDir()
    mkdirSync(join(build.path, 'windows-amd64'))
    writeFileSync(join(build.path, 'windows-amd64', 'helm.exe'), helmStandIn('v4.0.4'))
    execFileSync('python3', ['-m', 'zipfile', '-c', 'helm.zip', 'windows-amd64'], { cwd: build.path })
    const zip = readFileSync(join(build.path, 'helm.zip'))
    build.remove()
    server.files.set('/helm-v4.0.4-windows-amd64.zip', { body: zip, etag: '"z1"' })
    const manifest = manifestFor(talosctlStandIn('v1.13.7'))
    const asset = (entry: string) => ({
      url: server.url('/helm-v4.0.4-windows-amd64.zip'),
      sha256: sha256(zip),
      archive: { kind: 'zip' as const, entry },
    })
    manifest.helm[0]!.assets['windows-amd64'] = asset('windows-amd64/helm.exe')
    const service = new ToolsService({
      dataDir: join(dir.path, 'data'),
      settings: new SettingsStore(db),
      events: new EventBus(),
      manifest,
      searchPath: '',
      platform: 'windows-amd64',
    })
    services.push(service)
    expect(await service.install('helm')).toMatchObject({ version: 'v4.0.4', source: 'managed' })

    manifest.helm[0]!.assets['windows-amd64'] = asset('windows-amd64/helm-missing.exe')
    await service.remove('helm', 'v4.0.4')
    const error = await rejection(service.install('helm'))
    expect(error.message).toContain('does not contain windows-amd64/helm-missing.exe')
  })

  it('says so when no official build is pinned for this machine', async () => {
    const manifest = manifestFor(talosctlStandIn('v1.13.7'))
    const service = new ToolsService({
      dataDir: join(dir.path, 'data'),
      settings: new SettingsStore(db),
      events: new EventBus(),
      manifest,
      searchPath: '',
      platform: 'darwin-arm64',
    })
    services.push(service)
    const error = await rejection(service.install('talosctl'))
    expect(error.code).toBe('tool_missing')
    expect(error.hint).toContain('set-path')
  })
})

describe('the user’s own binaries', () => {
  function onPath(name: string, body: Buffer): string {
    const bin = join(dir.path, 'bin')
    mkdirSync(bin, { recursive: true })
    writeFileSync(join(bin, name), body, { mode: 0o755 })
    return bin
  }

  it('uses a binary on PATH when its version fits the nodes, and says where it came from', async () => {
    const bin = onPath('talosctl', talosctlStandIn('v1.13.2'))
    const service = serviceWith(manifestFor(talosctlStandIn('v1.13.7')), bin)
    expect(await service.resolve('talosctl', 'v1.13.9')).toEqual({
      tool: 'talosctl',
      path: join(bin, 'talosctl'),
      version: 'v1.13.2',
      source: 'path',
    })
    const error = await rejection(service.resolve('talosctl', 'v1.12.3'))
    expect(error.code).toBe('tool_missing')
    expect(error.message).toContain('talosctl v1.12.x is not installed')
    expect(error.message).toContain('v1.13.2, which does not fit')
  })

  it('prefers a configured path, and refuses one that does not answer with a version', async () => {
    const bin = onPath('talosctl', talosctlStandIn('v1.13.2'))
    const mine = join(dir.path, 'my-talosctl')
    writeFileSync(mine, talosctlStandIn('v1.13.5'), { mode: 0o755 })
    const service = serviceWith(manifestFor(talosctlStandIn('v1.13.7')), bin)
    await service.setPath('talosctl', mine)
    expect(await service.resolve('talosctl')).toMatchObject({
      path: mine,
      source: 'configured',
      version: 'v1.13.5',
    })

    const broken = join(dir.path, 'not-talosctl')
    writeFileSync(broken, '#!/bin/sh\necho hello\n', { mode: 0o755 })
    expect((await rejection(service.setPath('talosctl', broken))).code).toBe('invalid_input')
    await service.setPath('talosctl', null)
    expect((await service.resolve('talosctl')).source).toBe('path')
  })
})

describe('clusterdeck tools', () => {
  it('lists talosctl and helm with version, path and whether verified, as JSON', async () => {
    const bin = onPathForCli()
    const run = await runCli(['tools', 'list', '--json'], {
      env: { CLUSTERDECK_HOME: join(dir.path, 'cli-home'), PATH: `${bin}:${process.env.PATH}` },
    })
    expect(run.code, run.stderr).toBe(0)
    const statuses = JSON.parse(run.stdout) as {
      name: string
      active: { path: string; version: string } | null
    }[]
    expect(statuses.map((status) => status.name)).toEqual(['talosctl', 'helm'])
    expect(statuses[1]!.active).toMatchObject({ path: join(bin, 'helm'), version: 'v4.0.9' })
    const missing = await runCli(['tools', 'path', 'talosctl', '--for', 'v1.9.0'], {
      env: { CLUSTERDECK_HOME: join(dir.path, 'cli-home'), PATH: `${bin}:${process.env.PATH}` },
    })
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('talosctl v1.9.x is not installed')
    const bad = await runCli(['tools', 'install', 'kubectl'], {
      env: { CLUSTERDECK_HOME: join(dir.path, 'cli-home') },
    })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('unknown tool "kubectl"')
  })

  function onPathForCli(): string {
    const bin = join(dir.path, 'cli-bin')
    mkdirSync(bin, { recursive: true })
    writeFileSync(join(bin, 'helm'), helmStandIn('v4.0.9'), { mode: 0o755 })
    return bin
  }
})
