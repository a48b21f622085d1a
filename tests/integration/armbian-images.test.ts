// The Armbian RK1 lister against a local imitation of the GitHub releases API: pages of releases
// (Link headers) and of assets (full pages without links), images parsed from names, checksums
// from digests and `.sha` companions, releases that vanish kept as no longer published, the
// offline and rate-limit answers, and downloads verified against what the listing published.
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { EventBus } from '../../src-main/core/event-bus.ts'
import { ArmbianCatalog } from '../../src-main/images/armbian-catalog.ts'
import { DownloadService } from '../../src-main/images/download-service.ts'
import { ImageCache } from '../../src-main/images/image-cache.ts'
import { openDatabase, type Db } from '../../src-main/store/database.ts'
import {
  fakeRelease as release,
  rk1,
  startFakeGithubReleases,
  type FakeGithubReleases,
} from '../support/fake-github-releases.ts'
import { imageBytes, sha256 } from '../support/make-image.ts'
import { runCli } from '../support/run-cli.ts'
import { makeTempDir } from '../support/temp-dir.ts'

const token = 'ghp_secret-token-never-shown'
const vendorImage = imageBytes(256 * 1024, 1)
const currentImage = imageBytes(256 * 1024, 2)

let github: FakeGithubReleases
let base = ''

let dir: ReturnType<typeof makeTempDir>
let db: Db
let cache: ImageCache
let catalog: ArmbianCatalog
let clock: number

beforeAll(async () => {
  github = await startFakeGithubReleases()
  base = github.url
})
afterAll(() => github.close())

beforeEach(() => {
  github.rateLimited = false
  github.seen.length = 0
  const vendorName = rk1('26.8.0-trunk.40', 'trixie_vendor_6.1.115_minimal')
  const currentName = rk1('26.8.0-trunk.40', 'noble_current_6.18.2')
  github.releases = [
    release(1, '26.8.0-trunk.40', [
      { name: vendorName, body: vendorImage, digest: `sha256:${sha256(vendorImage)}` },
      { name: currentName, body: currentImage },
      { name: `${currentName}.sha`, body: Buffer.from(`${sha256(currentImage)} *${currentName}\n`) },
      { name: `${currentName}.asc`, body: Buffer.from('signature') },
    ]),
    release(2, '26.8.0-trunk.47', [
      { name: rk1('26.8.0-trunk.47', 'resolute_edge_7.1.0_gnome_desktop'), body: imageBytes(1024, 3) },
    ]),
    release(
      3,
      '26.8.0-trunk.52',
      [{ name: rk1('26.8.0-trunk.52', 'trixie_vendor_6.1.118_minimal'), body: imageBytes(1024, 4) }],
      true,
    ),
  ]
  dir = makeTempDir()
  db = openDatabase(join(dir.path, 'data'))
  cache = new ImageCache(db, join(dir.path, 'data'))
  clock = Date.parse('2026-09-10T12:00:00Z')
  catalog = new ArmbianCatalog({
    db,
    cache,
    apiUrl: base,
    token,
    timeoutMs: 2000,
    now: () => new Date(clock),
  })
})

afterEach(async () => {
  await catalog.close()
  db.close()
  dir.remove()
})

describe('Armbian RK1 images', () => {
  it('pages through releases and their assets and parses the RK1 images', async () => {
    const result = await catalog.images({ refresh: true, includeVanished: true })
    expect(result.refreshError).toBeNull()
    expect(result.npuTradeOff).toMatch(/vendor kernel \(6\.1\).*RKNPU/)
    expect(result.images.map((image) => image.name).sort()).toEqual(
      [
        rk1('26.8.0-trunk.40', 'noble_current_6.18.2'),
        rk1('26.8.0-trunk.40', 'trixie_vendor_6.1.115_minimal'),
        rk1('26.8.0-trunk.47', 'resolute_edge_7.1.0_gnome_desktop'),
        rk1('26.8.0-trunk.52', 'trixie_vendor_6.1.118_minimal'),
      ].sort(),
    )
    const vendor = result.images.find((image) => image.kernelVersion === '6.1.115')!
    expect(vendor).toMatchObject({
      releaseTag: '26.8.0-trunk.40',
      distro: 'trixie',
      distroFamily: 'debian',
      variant: 'minimal',
      branch: 'vendor',
      npu: 'rknpu',
      build: 40,
      sha256: sha256(vendorImage),
      checksumSource: 'github-digest',
      stillPublished: true,
      seenAt: '2026-09-10T12:00:00.000Z',
      sizeBytes: vendorImage.length,
    })
    expect(result.images.find((image) => image.branch === 'current')).toMatchObject({
      variant: 'server',
      npu: 'rocket',
      checksumSource: 'checksum-file',
      checksumUrl: expect.stringMatching(/\.img\.xz\.sha$/),
    })
    expect(result.images.find((image) => image.variant === 'desktop')).toMatchObject({
      desktop: 'gnome',
      checksumSource: 'none',
    })
    // Releases in pages (Link), then every release's assets, two pages each (130 + RK1 assets).
    const paths = github.seen.map((request) => request.url)
    expect(paths.filter((path) => path.startsWith('/repos/armbian/community/releases?'))).toEqual([
      '/repos/armbian/community/releases?per_page=100&page=1',
      '/repos/armbian/community/releases?per_page=100&page=2',
    ])
    expect(paths).toContain('/repos/armbian/community/releases/1/assets?per_page=100&page=2')
    expect(github.seen.every((request) => request.authorization === `Bearer ${token}`)).toBe(true)
  })

  it('keeps images whose release vanished, as no longer published', async () => {
    await catalog.images({ refresh: true, includeVanished: true })
    github.releases = github.releases.slice(1) // the oldest release is deleted upstream
    clock += 86_400_000
    const result = await catalog.images({ refresh: true, includeVanished: true })
    const vanished = result.images.filter((image) => !image.stillPublished)
    expect(vanished.map((image) => image.releaseTag)).toEqual(['26.8.0-trunk.40', '26.8.0-trunk.40'])
    expect(vanished[0]).toMatchObject({
      seenAt: '2026-09-10T12:00:00.000Z',
      lastSeenAt: '2026-09-10T12:00:00.000Z',
    })
    expect(
      result.images
        .filter((image) => image.stillPublished)
        .every((image) => image.lastSeenAt === '2026-09-11T12:00:00.000Z'),
    ).toBe(true)
    // Published images sort first.
    expect(result.images.at(-1)!.stillPublished).toBe(false)
    const current = await catalog.images({ refresh: false, includeVanished: false })
    expect(current.images).toHaveLength(2)
  })

  it('filters by distro, variant and kernel branch', async () => {
    await catalog.images({ refresh: true, includeVanished: true })
    const vendor = await catalog.images({ refresh: false, branch: 'vendor', includeVanished: true })
    expect(vendor.images.map((image) => image.kernelVersion).sort()).toEqual(['6.1.115', '6.1.118'])
    const minimalTrixie = await catalog.images({
      refresh: false,
      distro: 'Trixie',
      variant: 'minimal',
      includeVanished: true,
    })
    expect(minimalTrixie.images).toHaveLength(2)
    const noble = await catalog.images({
      refresh: false,
      distro: 'noble',
      variant: 'minimal',
      includeVanished: true,
    })
    expect(noble.images).toEqual([])
  })

  it('answers from what was seen when offline or rate limited, and never shows the token', async () => {
    await catalog.images({ refresh: true, includeVanished: true })
    github.rateLimited = true
    const limited = await catalog.images({ refresh: true, includeVanished: true })
    expect(limited.images).toHaveLength(4)
    expect(limited.refreshError).toMatchObject({
      code: 'download_failed',
      message: expect.stringContaining('rate limit'),
    })
    expect(JSON.stringify(limited)).not.toContain(token)

    const offline = new ArmbianCatalog({ db, cache, apiUrl: 'http://127.0.0.1:9', timeoutMs: 2000 })
    const answer = await offline.images({ refresh: true, includeVanished: true })
    await offline.close()
    expect(answer.images).toHaveLength(4)
    expect(answer.refreshError).toMatchObject({
      code: 'network_unreachable',
      message: expect.stringContaining('refused the connection'),
    })
    expect(answer.refreshedAt).toBe('2026-09-10T12:00:00.000Z')
  })

  it('verifies a download against the published digest or .sha, and rejects a wrong one', async () => {
    const { images } = await catalog.images({ refresh: true, includeVanished: true })
    const events = new EventBus()
    const downloads = new DownloadService({
      db,
      cache,
      dataDir: join(dir.path, 'data'),
      events,
      knownChecksums: catalog.knownChecksums,
      timeoutMs: 2000,
    })
    try {
      const vendor = images.find((image) => image.kernelVersion === '6.1.115')!
      // The images are not really xz here: the import stores what it gets; the hash is what matters.
      const job = await downloads.wait(downloads.pull({ url: vendor.url }).id)
      expect(job).toMatchObject({
        state: 'done',
        checksum: { source: 'github-digest', sha256: sha256(vendorImage) },
      })

      const current = images.find((image) => image.branch === 'current')!
      const viaSha = await downloads.wait(downloads.pull({ url: current.url }).id)
      expect(viaSha).toMatchObject({
        state: 'done',
        checksum: { source: 'checksum-file', sha256: sha256(currentImage) },
      })

      const listed = await catalog.images({ refresh: false, includeVanished: true })
      expect(listed.images.find((image) => image.name === vendor.name)!.cachedSha256).toBe(job.imageSha256)

      // The file is replaced upstream but the listing still has the old digest: rejected, nothing kept.
      github.releases[2]!.assets.at(-1)!.body = imageBytes(1024, 77)
      const edge = images.find((image) => image.kernelVersion === '6.1.118')!
      db.prepare('UPDATE armbian_images SET sha256 = ? WHERE name = ?').run('0'.repeat(64), edge.name)
      const rejected = await downloads.wait(downloads.pull({ url: edge.url }).id)
      expect(rejected).toMatchObject({ state: 'failed', error: { code: 'checksum_mismatch' } })
      expect(cache.list()).toHaveLength(2)
    } finally {
      await downloads.close()
    }
  })

  it('lists through the CLI with the API base URL from the environment', async () => {
    const run = await runCli(['image', 'armbian', '--refresh', '--branch', 'vendor'], {
      env: {
        CLUSTERDECK_HOME: join(dir.path, 'cli-home'),
        CLUSTERDECK_GITHUB_API_URL: base,
        CLUSTERDECK_GITHUB_TOKEN: token,
      },
    })
    expect(run).toMatchObject({ code: 0 })
    expect(run.stdout).toMatch(/trixie\s+minimal\s+vendor 6\.1\.115\s+NPU/)
    expect(run.stdout).not.toMatch(/current 6\.18/)
    expect(run.stdout).toContain('Choose the vendor kernel')
    expect(run.stdout + run.stderr).not.toContain(token)
  })
})
