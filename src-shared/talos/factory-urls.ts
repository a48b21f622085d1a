// Image Factory addresses (talos.md §1.2, §1.3): the download URL of a boot image and the installer
// image reference for a schematic, against a configurable factory.
export const defaultFactoryUrl = 'https://factory.talos.dev'

export type TalosArch = 'amd64' | 'arm64'

/** What is wrong with this text as a Talos version, or null when it is one; for fields typed key by key. */
export function talosVersionProblem(version: string): string | null {
  return /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version.trim())
    ? null
    : `"${version}" is not a Talos version such as v1.9.2`
}

/** "1.9.2" or "v1.9.2" → "v1.9.2"; throws on anything that is not a Talos version. */
export function normalizeTalosVersion(version: string): string {
  const problem = talosVersionProblem(version)
  if (problem) throw new Error(problem)
  const trimmed = version.trim()
  return trimmed.startsWith('v') ? trimmed : `v${trimmed}`
}

/** Semantic-version order; a prerelease (v1.9.0-beta.0) comes before its release. */
export function compareTalosVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core, pre] = normalizeTalosVersion(v).slice(1).split(/-(.*)/s) as [string, string | undefined]
    return { nums: core.split('.').map(Number), pre }
  }
  const pa = parse(a)
  const pb = parse(b)
  for (let i = 0; i < 3; i++) if (pa.nums[i] !== pb.nums[i]) return pa.nums[i]! - pb.nums[i]!
  if (pa.pre === pb.pre) return 0
  if (pa.pre === undefined) return 1
  if (pb.pre === undefined) return -1
  const as = pa.pre.split('.')
  const bs = pb.pre.split('.')
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    if (as[i] === undefined) return -1
    if (bs[i] === undefined) return 1
    const an = /^\d+$/.test(as[i]!) ? Number(as[i]) : NaN
    const bn = /^\d+$/.test(bs[i]!) ? Number(bs[i]) : NaN
    if (as[i] === bs[i]) continue
    if (!Number.isNaN(an) && !Number.isNaN(bn)) return an - bn
    if (!Number.isNaN(an)) return -1
    if (!Number.isNaN(bn)) return 1
    return as[i]! < bs[i]! ? -1 : 1
  }
  return 0
}

export function isPrerelease(version: string): boolean {
  return normalizeTalosVersion(version).includes('-')
}

export interface ImageRequest {
  schematicId: string
  talosVersion: string
  arch: TalosArch
  /** Talos platform: metal (default), nocloud, … */
  platform?: string
  /** The schematic has an SBC overlay: the image is always metal-arm64.raw.xz. */
  sbc?: boolean
  /** Overrides the file format, e.g. "iso", "raw.xz", "qcow2". */
  format?: string
  factoryUrl?: string
}

/**
 * The disk image file name. SBCs: metal-arm64.raw.xz (no board in the path: the overlay picks the
 * board). Metal: raw.zst from Talos 1.8, when the factory made zstd the default; raw.xz before.
 * Other platforms (nocloud, …): raw.xz, which every version serves.
 */
export function imageFileName({
  talosVersion,
  arch,
  platform = 'metal',
  sbc = false,
  format,
}: ImageRequest): string {
  if (sbc && arch !== 'arm64') throw new Error('board images (with an overlay) exist only for arm64')
  const chosen =
    format ??
    (sbc || platform !== 'metal'
      ? 'raw.xz'
      : compareTalosVersions(talosVersion, 'v1.8.0') >= 0
        ? 'raw.zst'
        : 'raw.xz')
  return `${sbc ? 'metal' : platform}-${arch}.${chosen}`
}

export function imageUrl(request: ImageRequest): string {
  const base = factoryBase(request.factoryUrl)
  const version = normalizeTalosVersion(request.talosVersion)
  return `${base}/image/${checkId(request.schematicId)}/${version}/${imageFileName({ ...request, talosVersion: version })}`
}

/** factory.talos.dev/metal-installer/<id>:<version>, the form talosctl 1.14 uses for metal and SBCs. */
export function installerImage(request: {
  schematicId: string
  talosVersion: string
  platform?: string
  secureboot?: boolean
  factoryUrl?: string
}): string {
  const host = new URL(factoryBase(request.factoryUrl)).host
  const platform = request.platform ?? 'metal'
  return `${host}/${platform}-installer${request.secureboot ? '-secureboot' : ''}/${checkId(request.schematicId)}:${normalizeTalosVersion(request.talosVersion)}`
}

/**
 * The installer of the schematic a factory disk image was built from, read off the image's download
 * URL (…/image/<id>/<version>/<platform>-<arch>[-secureboot].<format>), so that a node installs and
 * upgrades with the overlay and extensions it was flashed with; null for any other URL.
 */
export function installerImageOf(imageDownloadUrl: string): string | null {
  let url: URL
  try {
    url = new URL(imageDownloadUrl)
  } catch {
    return null
  }
  const match = /\/image\/([0-9a-f]{64})\/(v?\d+\.\d+\.\d+[^/]*)\/([a-z0-9]+)-[a-z0-9]+(-secureboot)?\./.exec(
    url.pathname,
  )
  if (!match || talosVersionProblem(match[2]!)) return null
  return installerImage({
    schematicId: match[1]!,
    talosVersion: match[2]!,
    platform: match[3]!,
    secureboot: match[4] !== undefined,
    factoryUrl: url.origin,
  })
}

export function factoryBase(factoryUrl = defaultFactoryUrl): string {
  const url = new URL(factoryUrl)
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error(`the factory URL must be http(s): ${factoryUrl}`)
  return url.toString().replace(/\/+$/, '')
}

function checkId(id: string): string {
  if (!/^[0-9a-f]{64}$/.test(id)) throw new Error(`"${id}" is not a schematic ID (64 lower-case hex digits)`)
  return id
}
