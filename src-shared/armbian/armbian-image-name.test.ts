import { describe, expect, it } from 'vitest'
import { parseArmbianImageName } from './armbian-image-name.ts'

describe('parseArmbianImageName', () => {
  it('reads a minimal vendor image', () => {
    expect(
      parseArmbianImageName(
        'Armbian_community_26.2.0-trunk.151_Turing-rk1_trixie_vendor_6.1.115_minimal.img.xz',
      ),
    ).toEqual({
      armbianVersion: '26.2.0',
      build: 151,
      distro: 'trixie',
      distroFamily: 'debian',
      variant: 'minimal',
      desktop: null,
      branch: 'vendor',
      kernelVersion: '6.1.115',
    })
  })

  it('reads server (no suffix) and desktop images', () => {
    expect(
      parseArmbianImageName('Armbian_community_26.11.0-trunk.62_Turing-rk1_noble_current_6.18.2.img.xz'),
    ).toMatchObject({
      variant: 'server',
      branch: 'current',
      distroFamily: 'ubuntu',
      kernelVersion: '6.18.2',
      build: 62,
    })
    expect(
      parseArmbianImageName(
        'Armbian_community_26.11.0-trunk.62_Turing-rk1_resolute_edge_7.1.0_kde-neon_desktop.img.xz',
      ),
    ).toMatchObject({ variant: 'desktop', desktop: 'kde-neon', branch: 'edge', distro: 'resolute' })
  })

  it('ignores other boards, companions and unknown shapes', () => {
    expect(
      parseArmbianImageName(
        'Armbian_community_26.2.0-trunk.151_Rock-5b_trixie_vendor_6.1.115_minimal.img.xz',
      ),
    ).toBeNull()
    expect(
      parseArmbianImageName(
        'Armbian_community_26.2.0-trunk.151_Turing-rk1_trixie_vendor_6.1.115_minimal.img.xz.sha',
      ),
    ).toBeNull()
    expect(
      parseArmbianImageName(
        'Armbian_community_26.2.0-trunk.151_Turing-rk1_trixie_vendor_6.1.115_minimal.img.xz.asc',
      ),
    ).toBeNull()
    expect(parseArmbianImageName('README.md')).toBeNull()
  })
})
