// The tools manager: which talosctl and helm the core runs. A binary the user configured, or one on
// PATH, is used when its version fits (and the status says so); otherwise the pinned official
// release installed under the data directory (tools/<name>/<version>/), whose hash is checked
// before its first use in each process. Steps ask `resolve`; the Tools settings and
// `clusterdeck tools` show `list`.
import { constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { access, rm } from 'node:fs/promises'
import { delimiter, isAbsolute, join } from 'node:path'
import { Agent, interceptors, type Dispatcher } from 'undici'
import { z } from 'zod'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { ToolStatus, ToolsProgress } from '../../src-shared/contract/tools.ts'
import { createSpeedMeter } from '../../src-shared/progress/progress.ts'
import type { EventBus } from '../core/event-bus.ts'
import type { SettingsStore } from '../store/settings-store.ts'
import { runProcess } from './process-runner.ts'
import { binaryName, installRelease, sha256OfFile, stampFile, type InstallStamp } from './tool-install.ts'
import {
  currentPlatform,
  minorOf,
  pinnedRelease,
  toolNames,
  versionFits,
  type Platform,
  type ToolManifest,
  type ToolName,
} from './tool-manifest.ts'
import { parseToolVersion, versionArgs } from './tool-version.ts'

export interface ResolvedTool {
  tool: ToolName
  path: string
  version: string
  source: 'configured' | 'path' | 'managed'
}

/** A binary found for a tool, with the version it reports (null: it did not say). */
interface Candidate {
  path: string
  version: string | null
  source: ResolvedTool['source']
}

export interface ToolsServiceOptions {
  dataDir: string
  settings: SettingsStore
  events: EventBus
  manifest: ToolManifest
  /** Where binaries are looked up besides the configured paths (default: $PATH). */
  searchPath?: string
  platform?: Platform | null
  timeoutMs?: number
}

const configuredPathsKey = 'tools.paths'
const configuredPathsSchema = z.record(z.string(), z.string())

export class ToolsService {
  private readonly options: ToolsServiceOptions
  private readonly platform: Platform | null
  private readonly dispatcher: Dispatcher
  private readonly agent: Agent
  /** Versions probed per binary (path + size + mtime), so a status poll runs nothing twice. */
  private readonly probed = new Map<string, Promise<string | null>>()
  /** Managed binaries whose hash was checked in this process. */
  private readonly verified = new Set<string>()
  private readonly installs = new Map<string, Promise<ResolvedTool>>()

  constructor(options: ToolsServiceOptions) {
    this.options = options
    this.platform = options.platform === undefined ? currentPlatform() : options.platform
    this.agent = new Agent({ connect: { timeout: options.timeoutMs ?? 30_000 } })
    this.dispatcher = this.agent.compose(interceptors.redirect({ maxRedirections: 5 }))
  }

  /** The binary to run for a tool; `forVersion` is the Talos version of the nodes for talosctl. */
  async resolve(tool: ToolName, forVersion?: string): Promise<ResolvedTool> {
    return this.choose(tool, await this.candidates(tool), forVersion)
  }

  async list(forVersion?: string): Promise<ToolStatus[]> {
    return Promise.all(
      toolNames.map(async (tool) => {
        const candidates = await this.candidates(tool)
        const active = await this.choose(tool, candidates, forVersion).catch((error: unknown) => {
          if (error instanceof AppError) return error
          throw error
        })
        const pinned = this.options.manifest[tool].map((release) => ({
          version: release.version,
          availableForThisMachine: this.platform !== null && release.assets[this.platform] !== undefined,
        }))
        return {
          name: tool,
          pinned,
          found: candidates.map((candidate) => ({
            path: candidate.path,
            version: candidate.version,
            source: candidate.source,
            fits: candidate.version
              ? versionFits(tool, candidate.version, this.options.manifest, forVersion)
              : false,
            verified: candidate.source === 'managed' ? this.verified.has(candidate.path) : null,
          })),
          active:
            active instanceof AppError
              ? null
              : { path: active.path, version: active.version, source: active.source },
          ...(active instanceof AppError ? { problem: active.message, hint: active.hint ?? '' } : {}),
        } satisfies ToolStatus
      }),
    )
  }

  /** The first candidate whose version fits (a managed one verified first), or why there is none. */
  private async choose(
    tool: ToolName,
    candidates: Candidate[],
    forVersion: string | undefined,
  ): Promise<ResolvedTool> {
    for (const candidate of candidates) {
      if (candidate.version && versionFits(tool, candidate.version, this.options.manifest, forVersion)) {
        if (candidate.source === 'managed') await this.verify(tool, candidate.path)
        return { tool, path: candidate.path, version: candidate.version, source: candidate.source }
      }
    }
    const need = this.describeNeed(tool, forVersion)
    const found = candidates.filter((candidate) => candidate.source !== 'managed')
    const release = pinnedRelease(tool, this.options.manifest, forVersion)
    throw new AppError(
      'tool_missing',
      `${need} is not installed` +
        (found.length > 0
          ? ` (found ${found.map((c) => `${c.path} ${c.version ?? 'of unknown version'}`).join(', ')}, which does not fit)`
          : ''),
      release
        ? `Install it under Settings → Tools, or run: clusterdeck tools install ${tool}${forVersion ? ` --for ${forVersion}` : ''}`
        : `No pinned ${tool} release fits ${forVersion}: install a matching ${tool} yourself and set its path with clusterdeck tools set-path ${tool} PATH`,
    )
  }

  /** Installs the pinned release that fits (or the named pinned version); concurrent calls share one download. */
  install(
    tool: ToolName,
    { version, forVersion, signal }: { version?: string; forVersion?: string; signal?: AbortSignal } = {},
  ): Promise<ResolvedTool> {
    const release = version
      ? this.options.manifest[tool].find((candidate) => candidate.version === version)
      : pinnedRelease(tool, this.options.manifest, forVersion)
    if (!release) {
      return Promise.reject(
        new AppError(
          'invalid_input',
          version
            ? `${tool} ${version} is not a pinned release`
            : `no pinned ${tool} release fits ${forVersion}`,
          `Pinned: ${this.options.manifest[tool].map((r) => r.version).join(', ')}`,
        ),
      )
    }
    const asset = this.platform ? release.assets[this.platform] : undefined
    if (!asset) {
      return Promise.reject(
        new AppError(
          'tool_missing',
          `No official ${tool} ${release.version} build is pinned for this machine (${process.platform}/${process.arch})`,
          `Install ${tool} yourself and set its path with: clusterdeck tools set-path ${tool} PATH`,
        ),
      )
    }
    const key = `${tool}@${release.version}`
    const running = this.installs.get(key)
    if (running) return running
    const folder = this.folder(tool, release.version)
    const meter = createSpeedMeter()
    const progress = (state: ToolsProgress['state'], bytesDone: number, bytesTotal: number | null) =>
      this.options.events.emit('tools.progress', {
        tool,
        version: release.version,
        state,
        progress: meter.sample(Date.now(), bytesDone, bytesTotal),
      })
    const job = (async () => {
      progress('downloading', 0, null)
      try {
        await installRelease({
          tool,
          version: release.version,
          asset,
          folder,
          dispatcher: this.dispatcher,
          timeoutMs: this.options.timeoutMs ?? 30_000,
          signal: signal ?? new AbortController().signal,
          onBytes: (done, total) => progress('downloading', done, total),
        })
      } catch (error) {
        progress('failed', 0, null)
        if (!(error instanceof AppError) || error.code === 'cancelled' || error.code === 'checksum_mismatch')
          throw error
        // The fetch error says what failed; the way out differs from an image download's.
        throw new AppError(
          error.code,
          error.message,
          `Check the internet connection and try again, or install ${tool} ${release.version} yourself and run: clusterdeck tools set-path ${tool} PATH`,
          error.details,
        )
      }
      const path = join(folder, binaryName(tool))
      this.verified.add(path)
      const probed = await this.probe(tool, path)
      progress('installed', 0, null)
      return { tool, path, version: probed ?? release.version, source: 'managed' as const }
    })().finally(() => this.installs.delete(key))
    this.installs.set(key, job)
    return job
  }

  async remove(tool: ToolName, version: string): Promise<void> {
    const folder = this.folder(tool, version)
    if (!existsSync(folder))
      throw new AppError('not_found', `${tool} ${version} is not installed by Clusterdeck`)
    await rm(folder, { recursive: true, force: true })
    this.verified.delete(join(folder, binaryName(tool)))
  }

  /** Uses the user's own binary for a tool (null: forget it). Refused when it does not run. */
  async setPath(tool: ToolName, path: string | null): Promise<void> {
    const paths = this.configuredPaths()
    if (path === null) {
      delete paths[tool]
    } else {
      if (!isAbsolute(path))
        throw new AppError('invalid_input', `the path of ${tool} must be absolute: ${path}`)
      const version = await this.probe(tool, path)
      if (!version)
        throw new AppError(
          'invalid_input',
          `${path} did not answer "${versionArgs(tool).join(' ')}" with a ${tool} version`,
          `Check that it is ${tool} and that it runs on this machine.`,
        )
      paths[tool] = path
    }
    this.options.settings.set(configuredPathsKey, paths)
  }

  async close(): Promise<void> {
    await this.agent.close()
  }

  private folder(tool: ToolName, version: string): string {
    if (!/^v\d+\.\d+\.\d+[\w.+-]*$/.test(version))
      throw new AppError('invalid_input', `not a version: ${version}`)
    return join(this.options.dataDir, 'tools', tool, version)
  }

  private configuredPaths(): Record<string, string> {
    return this.options.settings.get(configuredPathsKey, configuredPathsSchema, {})
  }

  private describeNeed(tool: ToolName, forVersion?: string): string {
    if (tool === 'talosctl')
      return `talosctl ${minorOf(forVersion ?? this.options.manifest.talosctl[0]!.version)}.x`
    return `helm ${this.options.manifest.helm[0]!.version.split('.')[0]}.x`
  }

  private async candidates(tool: ToolName): Promise<Candidate[]> {
    const found: { path: string; source: ResolvedTool['source'] }[] = []
    const configured = this.configuredPaths()[tool]
    if (configured) found.push({ path: configured, source: 'configured' })
    for (const dir of (this.options.searchPath ?? process.env.PATH ?? '').split(delimiter)) {
      if (!dir) continue
      const path = join(dir, binaryName(tool))
      if (path !== configured && (await isExecutable(path))) found.push({ path, source: 'path' })
    }
    for (const version of this.installedVersions(tool)) {
      found.push({ path: join(this.folder(tool, version), binaryName(tool)), source: 'managed' })
    }
    return Promise.all(
      found.map(async (entry) => ({ ...entry, version: await this.probe(tool, entry.path) })),
    )
  }

  private installedVersions(tool: ToolName): string[] {
    const root = join(this.options.dataDir, 'tools', tool)
    if (!existsSync(root)) return []
    return readdirSync(root)
      .filter(
        (version) =>
          existsSync(join(root, version, stampFile)) && existsSync(join(root, version, binaryName(tool))),
      )
      .sort()
      .reverse()
  }

  /** Checks a managed binary against the hash recorded at install, once per process. */
  private async verify(tool: ToolName, path: string): Promise<void> {
    if (this.verified.has(path)) return
    const stamp = JSON.parse(readFileSync(join(path, '..', stampFile), 'utf8')) as InstallStamp
    const actual = await sha256OfFile(path)
    if (actual !== stamp.binarySha256) {
      throw new AppError(
        'checksum_mismatch',
        `The installed ${tool} ${stamp.version} at ${path} was changed since it was verified, and is not run.`,
        `Reinstall it: clusterdeck tools remove ${tool} ${stamp.version} && clusterdeck tools install ${tool} --version ${stamp.version}`,
      )
    }
    this.verified.add(path)
  }

  private probe(tool: ToolName, path: string): Promise<string | null> {
    let key: string
    try {
      const stats = statSync(path)
      key = `${path}:${stats.size}:${stats.mtimeMs}`
    } catch {
      return Promise.resolve(null)
    }
    let version = this.probed.get(key)
    if (!version) {
      version = runProcess({
        command: path,
        args: versionArgs(tool),
        timeoutMs: 15_000,
        captureStdoutBytes: 16_384,
      })
        .then((result) => parseToolVersion(tool, result.stdout))
        .catch(() => null)
      this.probed.set(key, version)
    }
    return version
  }
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, process.platform === 'win32' ? constants.F_OK : constants.X_OK)
    return statSync(path).isFile()
  } catch {
    return false
  }
}
