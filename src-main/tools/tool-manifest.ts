// The external tools the core drives, pinned in one place: for each release, where the official
// binary for an OS and architecture is published and its SHA-256 (copied from the release's
// published checksums). talosctl is pinned per Talos minor version, since it must match the
// nodes it configures (docs/tools.md); helm is pinned once.

export type ToolName = 'talosctl' | 'helm'
export const toolNames: readonly ToolName[] = ['talosctl', 'helm']

/** `${process.platform}-${arch}` as the releases name them. */
export type Platform = 'linux-amd64' | 'linux-arm64' | 'darwin-amd64' | 'darwin-arm64' | 'windows-amd64'

export interface ReleaseAsset {
  url: string
  sha256: string
  /** How the binary is packed: a bare executable, or a path inside a .tar.gz / .zip. */
  archive: { kind: 'raw' } | { kind: 'tar.gz' | 'zip'; entry: string }
}

export interface ToolRelease {
  version: string
  assets: Partial<Record<Platform, ReleaseAsset>>
}

export interface ToolManifest {
  talosctl: ToolRelease[]
  helm: ToolRelease[]
}

function talosctl(version: string, sums: Partial<Record<Platform, string>>): ToolRelease {
  const assets: Partial<Record<Platform, ReleaseAsset>> = {}
  for (const [platform, sha256] of Object.entries(sums) as [Platform, string][]) {
    assets[platform] = {
      url: `https://github.com/siderolabs/talos/releases/download/${version}/talosctl-${platform}`,
      sha256,
      archive: { kind: 'raw' },
    }
  }
  return { version, assets }
}

function helm(version: string, sums: Partial<Record<Platform, string>>): ToolRelease {
  const assets: Partial<Record<Platform, ReleaseAsset>> = {}
  for (const [platform, sha256] of Object.entries(sums) as [Platform, string][]) {
    const zip = platform.startsWith('windows')
    const binary = zip ? 'helm.exe' : 'helm'
    assets[platform] = {
      url: `https://get.helm.sh/helm-${version}-${platform}.${zip ? 'zip' : 'tar.gz'}`,
      sha256,
      archive: { kind: zip ? 'zip' : 'tar.gz', entry: `${platform}/${binary}` },
    }
  }
  return { version, assets }
}

export const pinnedTools: ToolManifest = {
  talosctl: [
    talosctl('v1.13.7', {
      'linux-amd64': '97d08e5584e56114659f131e95e227910d1f3b427d26360dca2af3ed821b71f8',
      'linux-arm64': '756ef525dbff50bcaa67750fce70efbef2899ec87c87468914a8390ce292b1d4',
      'darwin-amd64': '0e4b75ee78da180103aceda6da9c906bd2cba48cd7c7c2e9049776445beab688',
      'darwin-arm64': '8965b026f416a25147b99530721c25fc2616c4fa655480673bcb63eb7f0de331',
    }),
    talosctl('v1.12.7', {
      'linux-amd64': '9f2626b4755cbd72401cacdf1812878ae6d738b8355c9e8d3600ecebb39a02ca',
      'linux-arm64': '30d44c80a7d49ffb61f9b4558859e5b209dee3ae24f4e3261b2d8f233f9c0902',
      'darwin-amd64': '2f6d8e3a639875c6dbf39f1c7e59d7d100a0118c25e0b7d1cc0dd98d7243fcff',
      'darwin-arm64': 'b7ad9ae88eac5a5fc2df1d9428c49e9ea306f5e01710e803aa32a0d7085f7c94',
    }),
  ],
  helm: [
    helm('v4.0.4', {
      'linux-amd64': '29454bc351f4433e66c00f5d37841627cbbcc02e4c70a6d796529d355237671c',
      'linux-arm64': '16b88acc6503d646b7537a298e7389bef469c5cc9ebadf727547abe9f6a35903',
      'darwin-amd64': '73bcfd6ab000fdc95acf9fe1c59e8e47179426a653e45ae485889869d4a00523',
      'darwin-arm64': 'a7ea99937a9679b3935fa0a2b70e577aa1ea84e5856e7c0821ca6ffa064ea976',
      'windows-amd64': '135bffadd3c87aff8856e06efb366bea2a48ac4d1742d73af80250410246f14d',
    }),
  ],
}

export function currentPlatform(
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): Platform | null {
  const os = platform === 'win32' ? 'windows' : platform
  const cpu = arch === 'x64' ? 'amd64' : arch
  const name = `${os}-${cpu}`
  const known: readonly string[] = [
    'linux-amd64',
    'linux-arm64',
    'darwin-amd64',
    'darwin-arm64',
    'windows-amd64',
  ]
  return known.includes(name) ? (name as Platform) : null
}

/** `v1.13.9` → `v1.13`; null for what is not a version. */
export function minorOf(version: string): string | null {
  const match = /^v?(\d+)\.(\d+)(?:\.\d+)?/.exec(version.trim())
  return match ? `v${match[1]}.${match[2]}` : null
}

function majorOf(version: string): string | null {
  const match = /^v?(\d+)\./.exec(version.trim())
  return match ? `v${match[1]}` : null
}

/**
 * Which versions of a tool fit a need: talosctl must share the Talos minor version of the nodes
 * (`for`), or of the newest pin when none is given; helm must share the pinned major version.
 */
export function versionFits(
  tool: ToolName,
  version: string,
  manifest: ToolManifest,
  forVersion?: string,
): boolean {
  if (tool === 'talosctl') {
    const wanted = minorOf(forVersion ?? manifest.talosctl[0]!.version)
    return wanted !== null && minorOf(version) === wanted
  }
  return majorOf(version) !== null && majorOf(version) === majorOf(manifest.helm[0]!.version)
}

/** The pinned release to install for a need, or null when no pin fits it. */
export function pinnedRelease(
  tool: ToolName,
  manifest: ToolManifest,
  forVersion?: string,
): ToolRelease | null {
  return manifest[tool].find((release) => versionFits(tool, release.version, manifest, forVersion)) ?? null
}
