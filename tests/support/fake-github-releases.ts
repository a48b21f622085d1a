// A local imitation of the GitHub releases API for armbian/community: pages of releases (Link
// headers), pages of assets (full pages without links, and the list embedded in a release cut
// short as GitHub may), asset downloads, and the rate-limit answer. Tests change `releases` and
// `rateLimited` between requests.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeAsset {
  name: string
  body: Buffer
  digest?: string
}

export interface FakeRelease {
  id: number
  tag: string
  prerelease: boolean
  assets: FakeAsset[]
}

export interface FakeGithubReleases {
  /** The API base URL, for CLUSTERDECK_GITHUB_API_URL. */
  readonly url: string
  releases: FakeRelease[]
  rateLimited: boolean
  /** Every request with the authorization it carried. */
  readonly seen: Array<{ url: string; authorization: string | undefined }>
  close(): Promise<void>
}

/** An RK1 image name of a community build, e.g. rk1('26.8.0-trunk.40', 'trixie_vendor_6.1.115_minimal'). */
export const rk1 = (tag: string, rest: string): string => `Armbian_community_${tag}_Turing-rk1_${rest}.img.xz`

/** A release whose RK1 images sit on the second page of assets, behind 130 of another board. */
export function fakeRelease(
  id: number,
  tag: string,
  rk1Assets: FakeAsset[],
  prerelease = false,
): FakeRelease {
  const filler = Array.from({ length: 130 }, (_, i) => ({
    name: `Armbian_community_${tag}_Rock-5b_trixie_vendor_6.1.115_minimal_${i}.img.xz`,
    body: Buffer.from('x'),
  }))
  return { id, tag, prerelease, assets: [...filler, ...rk1Assets] }
}

export async function startFakeGithubReleases(releases: FakeRelease[] = []): Promise<FakeGithubReleases> {
  let base = ''
  const state: FakeGithubReleases = {
    get url() {
      return base
    },
    releases,
    rateLimited: false,
    seen: [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }

  const asset = (a: FakeAsset) => {
    const tag = state.releases.find((r) => r.assets.includes(a))!.tag
    return {
      name: a.name,
      size: a.body.length,
      browser_download_url: `${base}/download/${tag}/${a.name}`,
      digest: a.digest ?? null,
    }
  }

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url!, base)
    state.seen.push({ url: request.url!, authorization: request.headers.authorization })
    const json = (body: unknown, headers: Record<string, string> = {}) =>
      response.writeHead(200, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body))
    if (state.rateLimited) {
      response
        .writeHead(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1790000000' })
        .end('{"message":"API rate limit exceeded"}')
      return
    }
    const page = Number(url.searchParams.get('page') ?? '1')
    const perPage = Number(url.searchParams.get('per_page') ?? '30')
    if (url.pathname === '/repos/armbian/community/releases') {
      // Two releases a page, linked the way GitHub does.
      const slice = state.releases.slice((page - 1) * 2, page * 2)
      const next =
        page * 2 < state.releases.length
          ? `<${base}${url.pathname}?per_page=${perPage}&page=${page + 1}>; rel="next"`
          : ''
      return json(
        slice.map((release) => ({
          id: release.id,
          tag_name: release.tag,
          prerelease: release.prerelease,
          published_at: `2026-09-0${release.id}T00:00:00Z`,
          assets: release.assets.slice(0, 3).map(asset), // cut short, as GitHub may
        })),
        next ? { link: next } : {},
      )
    }
    const assets = /^\/repos\/armbian\/community\/releases\/(\d+)\/assets$/.exec(url.pathname)
    if (assets) {
      const release = state.releases.find((r) => r.id === Number(assets[1]))!
      return json(release.assets.slice((page - 1) * perPage, page * perPage).map(asset))
    }
    const download = /^\/download\/([^/]+)\/(.+)$/.exec(url.pathname)
    const file =
      download &&
      state.releases.find((r) => r.tag === download[1])?.assets.find((a) => a.name === download[2])
    if (file) return response.writeHead(200, { 'content-length': file.body.length }).end(file.body)
    response.writeHead(404).end('{"message":"Not Found"}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return state
}
