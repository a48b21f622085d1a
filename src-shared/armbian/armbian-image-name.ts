// Armbian community image names for the Turing RK1 (k3s-and-addons.md §5):
//   Armbian_community_<version>-trunk.<build>_Turing-rk1_<release>_<branch>_<kernel>[_minimal|_<de>_desktop].img.xz
// e.g. Armbian_community_26.2.0-trunk.151_Turing-rk1_trixie_vendor_6.1.115_minimal.img.xz.
// Names are the only place the variant and kernel are stated, so they are parsed strictly.

export const armbianVariants = ['minimal', 'server', 'desktop'] as const
export type ArmbianVariant = (typeof armbianVariants)[number]

export const armbianBranches = ['vendor', 'current', 'edge', 'legacy'] as const
export type ArmbianBranch = (typeof armbianBranches)[number]

export interface ArmbianImageName {
  armbianVersion: string
  build: number
  /** The distribution release: trixie, bookworm, noble, resolute… */
  distro: string
  distroFamily: 'debian' | 'ubuntu' | 'unknown'
  variant: ArmbianVariant
  /** The desktop environment of a desktop image (gnome, kde-neon, xfce…). */
  desktop: string | null
  branch: ArmbianBranch
  kernelVersion: string
}

const pattern =
  /^Armbian_community_(\d+\.\d+\.\d+)(?:-trunk)?(?:\.(\d+))?_Turing-rk1_([a-z]+)_(vendor|current|edge|legacy)_(\d+\.\d+(?:\.\d+)?)(?:_(minimal)|_([a-z0-9-]+)_desktop)?\.img\.xz$/i

const debian = ['buster', 'bullseye', 'bookworm', 'trixie', 'forky', 'sid']
const ubuntu = ['focal', 'jammy', 'noble', 'oracular', 'plucky', 'questing', 'resolute']

/** The parts of a Turing RK1 image name, or null for anything else (other boards, .sha, .asc…). */
export function parseArmbianImageName(name: string): ArmbianImageName | null {
  const match = pattern.exec(name)
  if (!match) return null
  const distro = match[3]!.toLowerCase()
  return {
    armbianVersion: match[1]!,
    build: match[2] ? Number(match[2]) : 0,
    distro,
    distroFamily: distroFamilyOf(distro),
    variant: match[6] ? 'minimal' : match[7] ? 'desktop' : 'server',
    desktop: match[7]?.toLowerCase() ?? null,
    branch: match[4]!.toLowerCase() as ArmbianBranch,
    kernelVersion: match[5]!,
  }
}

export function distroFamilyOf(distro: string): ArmbianImageName['distroFamily'] {
  return debian.includes(distro) ? 'debian' : ubuntu.includes(distro) ? 'ubuntu' : 'unknown'
}

/** The companion checksum file names Armbian publishes next to an image. */
export function checksumNamesFor(imageName: string): string[] {
  return [`${imageName}.sha`, `${imageName}.sha256`]
}
