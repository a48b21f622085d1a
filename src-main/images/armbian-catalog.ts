// What Clusterdeck has seen of the Armbian Turing RK1 images, kept in SQLite: the community
// repository deletes releases after a few weeks (it keeps 3 full and 3 pre-releases), so an image
// stays listed after it vanished upstream, marked as no longer published, next to its cached copy.
// Offline or rate-limited, the list answers from what was seen and says why.
import { Agent, interceptors, type Dispatcher } from 'undici'
import {
  kernelBranches,
  npuTradeOff,
  type ArmbianImage,
  type ArmbianImagesRequest,
  type ArmbianImagesResult,
} from '../../src-shared/armbian/armbian-schemas.ts'
import { distroFamilyOf } from '../../src-shared/armbian/armbian-image-name.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { z } from 'zod'
import type { Db } from '../store/database.ts'
import { SettingsStore } from '../store/settings-store.ts'
import { listTuringRk1Images, type ListedArmbianImage } from './armbian-github.ts'
import type { KnownChecksums } from './download-checksum.ts'
import type { ImageCache } from './image-cache.ts'

export interface ArmbianCatalogOptions {
  db: Db
  cache: ImageCache
  apiUrl?: string
  repo?: string
  token?: string
  timeoutMs?: number
  /** Answers older than this are refreshed without being asked (GitHub allows 60 requests an hour). */
  maxAgeMs?: number
  now?: () => Date
}

interface Row {
  name: string
  release_tag: string
  prerelease: number
  published_at: string | null
  distro: string
  variant: ArmbianImage['variant']
  desktop: string | null
  branch: ArmbianImage['branch']
  kernel_version: string
  armbian_version: string
  build: number
  url: string
  size_bytes: number
  sha256: string | null
  checksum_url: string | null
  first_seen_at: string
  last_seen_at: string
  still_published: number
}

const refreshedKey = 'armbian.refreshedAt'

export class ArmbianCatalog {
  private readonly options: ArmbianCatalogOptions
  private readonly db: Db
  private readonly settings: SettingsStore
  private readonly agent: Agent
  private readonly dispatcher: Dispatcher
  private refreshing: Promise<void> | undefined

  constructor(options: ArmbianCatalogOptions) {
    this.options = options
    this.db = options.db
    this.settings = new SettingsStore(options.db)
    const timeout = options.timeoutMs ?? 20_000
    this.agent = new Agent({ connect: { timeout } })
    this.dispatcher = this.agent.compose(interceptors.redirect({ maxRedirections: 3 }))
  }

  async images(request: ArmbianImagesRequest): Promise<ArmbianImagesResult> {
    let refreshError: AppError | null = null
    const refreshedAt = this.refreshedAt()
    const stale =
      !refreshedAt || this.now().getTime() - Date.parse(refreshedAt) > (this.options.maxAgeMs ?? 6 * 3600_000)
    if (request.refresh || stale) {
      try {
        this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined))
        await this.refreshing
      } catch (error) {
        if (!(error instanceof AppError)) throw error
        refreshError = error
      }
    }
    const cached = new Map(
      this.options.cache
        .list()
        .flatMap((image) => (image.sourceUrl ? [[image.sourceUrl, image.sha256]] : [])),
    )
    const images = (this.db.prepare('SELECT * FROM armbian_images').all() as Row[])
      .map((row) => fromRow(row, cached.get(row.url) ?? null))
      .filter(
        (image) =>
          (!request.distro || image.distro === request.distro.toLowerCase()) &&
          (!request.variant || image.variant === request.variant) &&
          (!request.branch || image.branch === request.branch) &&
          (request.includeVanished || image.stillPublished),
      )
      .sort(
        (a, b) =>
          Number(b.stillPublished) - Number(a.stillPublished) ||
          (b.publishedAt ?? '').localeCompare(a.publishedAt ?? '') ||
          a.name.localeCompare(b.name),
      )
    return {
      images,
      refreshedAt: this.refreshedAt(),
      refreshError: refreshError?.toData() ?? null,
      npuTradeOff,
    }
  }

  /** The published checksum of an Armbian image URL, for downloads of it. */
  readonly knownChecksums: KnownChecksums = (url) => {
    const row = this.db.prepare('SELECT sha256, checksum_url FROM armbian_images WHERE url = ?').get(url) as
      Pick<Row, 'sha256' | 'checksum_url'> | undefined
    if (!row || (!row.sha256 && !row.checksum_url)) return undefined
    return {
      sha256: row.sha256,
      checksumUrl: row.checksum_url,
      source: row.sha256 ? 'github-digest' : 'checksum-file',
    }
  }

  close(): Promise<void> {
    return this.agent.close()
  }

  private async refresh(): Promise<void> {
    const listed = await listTuringRk1Images({
      apiUrl: this.options.apiUrl ?? 'https://api.github.com',
      repo: this.options.repo ?? 'armbian/community',
      ...(this.options.token ? { token: this.options.token } : {}),
      dispatcher: this.dispatcher,
      timeoutMs: this.options.timeoutMs ?? 20_000,
    })
    const now = this.now().toISOString()
    this.db.transaction(() => this.record(listed, now))()
  }

  private record(listed: ListedArmbianImage[], now: string): void {
    const upsert = this.db.prepare(
      `INSERT INTO armbian_images (name, release_tag, prerelease, published_at, distro, variant, desktop, branch, kernel_version,
         armbian_version, build, url, size_bytes, sha256, checksum_url, first_seen_at, last_seen_at, still_published)
       VALUES (@name, @releaseTag, @prerelease, @publishedAt, @distro, @variant, @desktop, @branch, @kernelVersion,
         @armbianVersion, @build, @url, @sizeBytes, @sha256, @checksumUrl, @now, @now, 1)
       ON CONFLICT (name) DO UPDATE SET release_tag = excluded.release_tag, prerelease = excluded.prerelease,
         published_at = excluded.published_at, url = excluded.url, size_bytes = excluded.size_bytes,
         sha256 = COALESCE(excluded.sha256, armbian_images.sha256),
         checksum_url = COALESCE(excluded.checksum_url, armbian_images.checksum_url),
         last_seen_at = excluded.last_seen_at, still_published = 1`,
    )
    for (const image of listed) {
      upsert.run({
        name: image.name,
        releaseTag: image.releaseTag,
        prerelease: image.prerelease ? 1 : 0,
        publishedAt: image.publishedAt,
        distro: image.distro,
        variant: image.variant,
        desktop: image.desktop,
        branch: image.branch,
        kernelVersion: image.kernelVersion,
        armbianVersion: image.armbianVersion,
        build: image.build,
        url: image.url,
        sizeBytes: image.sizeBytes,
        sha256: image.sha256,
        checksumUrl: image.checksumUrl,
        now,
      })
    }
    this.db.prepare('UPDATE armbian_images SET still_published = 0 WHERE last_seen_at <> ?').run(now)
    this.settings.set(refreshedKey, now)
  }

  private refreshedAt(): string | null {
    return this.settings.get(refreshedKey, z.string().nullable(), null)
  }

  private now(): Date {
    return this.options.now?.() ?? new Date()
  }
}

function fromRow(row: Row, cachedSha256: string | null): ArmbianImage {
  const digest = row.sha256 !== null
  return {
    name: row.name,
    releaseTag: row.release_tag,
    prerelease: row.prerelease === 1,
    publishedAt: row.published_at,
    armbianVersion: row.armbian_version,
    build: row.build,
    distro: row.distro,
    distroFamily: distroFamilyOf(row.distro),
    variant: row.variant,
    desktop: row.desktop,
    branch: row.branch,
    kernelVersion: row.kernel_version,
    npu: kernelBranches[row.branch].npu,
    url: row.url,
    sizeBytes: row.size_bytes,
    sha256: row.sha256,
    checksumUrl: row.checksum_url,
    checksumSource: digest ? 'github-digest' : row.checksum_url ? 'checksum-file' : 'none',
    seenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    stillPublished: row.still_published === 1,
    cachedSha256,
  }
}
