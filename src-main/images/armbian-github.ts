// The Turing RK1 images in the armbian/community GitHub releases: every release page, then every
// page of each release's assets (the list embedded in a release may be cut short), keeping the
// assets whose names parse as RK1 images, with their digest or `.sha` companion. An optional token
// raises GitHub's limit of 60 requests an hour; it is sent as a header and never logged or shown.
import { request, type Dispatcher } from 'undici'
import {
  checksumNamesFor,
  parseArmbianImageName,
  type ArmbianImageName,
} from '../../src-shared/armbian/armbian-image-name.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { fetchError } from './fetch-errors.ts'

export interface GithubSource {
  /** https://api.github.com, or a local imitation in tests. */
  apiUrl: string
  repo: string
  token?: string
  dispatcher: Dispatcher
  timeoutMs: number
}

export interface ListedArmbianImage extends ArmbianImageName {
  name: string
  releaseTag: string
  prerelease: boolean
  publishedAt: string | null
  url: string
  sizeBytes: number
  sha256: string | null
  checksumUrl: string | null
}

interface Release {
  id: number
  tag_name: string
  prerelease: boolean
  draft?: boolean
  published_at: string | null
}

interface Asset {
  name: string
  size: number
  browser_download_url: string
  digest?: string | null
}

const perPage = 100
/** A runaway guard: the repository keeps a handful of releases, each with a few hundred assets. */
const maxPages = 50

export async function listTuringRk1Images(
  source: GithubSource,
  signal?: AbortSignal,
): Promise<ListedArmbianImage[]> {
  const releases = await pages<Release>(source, `/repos/${source.repo}/releases`, signal)
  const images: ListedArmbianImage[] = []
  for (const release of releases) {
    if (release.draft) continue
    const assets = await pages<Asset>(source, `/repos/${source.repo}/releases/${release.id}/assets`, signal)
    const byName = new Map(assets.map((asset) => [asset.name, asset]))
    for (const asset of assets) {
      const parsed = parseArmbianImageName(asset.name)
      if (!parsed) continue
      const digest = /^sha256:([0-9a-f]{64})$/i.exec(asset.digest ?? '')?.[1]?.toLowerCase() ?? null
      const companion = checksumNamesFor(asset.name)
        .map((name) => byName.get(name))
        .find(Boolean)
      images.push({
        ...parsed,
        name: asset.name,
        releaseTag: release.tag_name,
        prerelease: release.prerelease,
        publishedAt: release.published_at,
        url: asset.browser_download_url,
        sizeBytes: asset.size,
        sha256: digest,
        checksumUrl: companion?.browser_download_url ?? null,
      })
    }
  }
  return images
}

/** Every item of a paged GitHub list: follows rel="next", else asks for pages until one is short. */
async function pages<T>(source: GithubSource, path: string, signal?: AbortSignal): Promise<T[]> {
  const items: T[] = []
  let url: string | null = `${source.apiUrl.replace(/\/$/, '')}${path}?per_page=${perPage}&page=1`
  for (let page = 1; url && page <= maxPages; page++) {
    const { body, next } = await getJson(source, url, signal)
    if (!Array.isArray(body)) {
      throw new AppError('download_failed', `GitHub answered ${path} with something that is not a list.`)
    }
    items.push(...(body as T[]))
    url = next ?? (body.length === perPage ? url.replace(/page=\d+$/, `page=${page + 1}`) : null)
  }
  return items
}

async function getJson(
  source: GithubSource,
  url: string,
  signal?: AbortSignal,
): Promise<{ body: unknown; next: string | null }> {
  const what = 'the Armbian release list from GitHub'
  let response: Dispatcher.ResponseData
  let text: string
  try {
    response = await request(url, {
      dispatcher: source.dispatcher,
      headersTimeout: source.timeoutMs,
      bodyTimeout: source.timeoutMs,
      ...(signal ? { signal } : {}),
      headers: {
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
        'user-agent': 'clusterdeck',
        ...(source.token ? { authorization: `Bearer ${source.token}` } : {}),
      },
    })
    text = await response.body.text()
  } catch (error) {
    throw fetchError(error, { what, url, timeoutMs: source.timeoutMs })
  }
  const status = response.statusCode
  if (status === 200) {
    try {
      return { body: JSON.parse(text), next: nextLink(response.headers.link) }
    } catch {
      throw new AppError('download_failed', `GitHub sent ${what} as something that is not JSON.`)
    }
  }
  if ((status === 403 || status === 429) && header(response, 'x-ratelimit-remaining') === '0') {
    const reset = Number(header(response, 'x-ratelimit-reset'))
    const until = Number.isFinite(reset) && reset > 0 ? ` until ${new Date(reset * 1000).toISOString()}` : ''
    throw new AppError(
      'download_failed',
      `GitHub's API rate limit is used up${until}, so ${what} could not be refreshed.`,
      source.token
        ? 'Wait until the limit resets; the images seen before are still listed.'
        : 'Wait, or set CLUSTERDECK_GITHUB_TOKEN to a GitHub token (no scopes needed) for a higher limit; the images seen before are still listed.',
      { reason: 'rate-limit' },
    )
  }
  if (status === 401) {
    throw new AppError(
      'download_failed',
      `GitHub refused the token in CLUSTERDECK_GITHUB_TOKEN while fetching ${what} (HTTP 401).`,
      'Check or unset CLUSTERDECK_GITHUB_TOKEN.',
    )
  }
  throw new AppError(
    'download_failed',
    `GitHub answered HTTP ${status} for ${what}.`,
    status >= 500 ? 'GitHub has a problem; try again later.' : undefined,
  )
}

function nextLink(link: string | string[] | undefined): string | null {
  const value = Array.isArray(link) ? link.join(',') : link
  return /<([^>]+)>;\s*rel="next"/.exec(value ?? '')?.[1] ?? null
}

function header(response: Dispatcher.ResponseData, name: string): string | undefined {
  const value = response.headers[name]
  return Array.isArray(value) ? value[0] : value
}
