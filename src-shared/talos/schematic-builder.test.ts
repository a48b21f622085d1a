import { describe, expect, it } from 'vitest'
import { boardVersionProblem, findBoard } from './boards.ts'
import { presetExtensions } from './presets.ts'
import { buildSchematic } from './schematic-builder.ts'
import { canonicalSchematic, schematicId } from './schematic.ts'

describe('buildSchematic', () => {
  it('gives 613e1592… for the longhorn preset without an overlay (seed 000)', async () => {
    for (const board of ['metal-amd64', 'metal-arm64'] as const) {
      expect(await schematicId(buildSchematic({ board, presets: ['longhorn'] }))).toBe(
        '613e1592b2da41ae5e265e8789429f22e121aab91cb4deb6bc3c0b6262961245',
      )
    }
  })

  it('gives 85f68390… for the RK1 with the longhorn preset (talos.md §3.1), whatever the pick order', async () => {
    const id = await schematicId(
      buildSchematic({
        board: 'turing-rk1',
        extensions: ['siderolabs/util-linux-tools', 'siderolabs/iscsi-tools'],
      }),
    )
    expect(id).toBe('85f683902139269fbc5a7f64ea94a694d31e0b3d94347a225223fcbd042083ae')
  })

  it('builds an RK1 node image: overlay, extensions, kernel args split on whitespace, META key 10', () => {
    const schematic = buildSchematic({
      board: 'turing-rk1',
      presets: ['longhorn'],
      extensions: ['siderolabs/iscsi-tools'],
      kernelArgs: '  net.ifnames=0   talos.dashboard.disabled=1 ',
      network: {
        address: '10.0.0.11/24',
        link: 'end0',
        gateway: '10.0.0.1',
        hostname: 'rk1-1',
        resolvers: ['1.1.1.1'],
      },
      overlayOptions: { spi_boot: true },
    })
    expect(canonicalSchematic(schematic)).toEqual({
      uncertain: [],
      yaml: [
        'overlay:',
        '    image: siderolabs/sbc-rockchip',
        '    name: turingrk1',
        '    options:',
        '        spi_boot: true',
        'customization:',
        '    extraKernelArgs:',
        '        - net.ifnames=0',
        '        - talos.dashboard.disabled=1',
        '    meta:',
        '        - key: 10',
        '          value: |',
        '            addresses:',
        '                - address: 10.0.0.11/24',
        '                  linkName: end0',
        '                  family: inet4',
        '                  scope: global',
        '                  flags: permanent',
        '                  layer: platform',
        '            routes:',
        '                - family: inet4',
        '                  dst: ""',
        '                  gateway: 10.0.0.1',
        '                  outLinkName: end0',
        '                  table: main',
        '                  priority: 1024',
        '                  scope: global',
        '                  type: unicast',
        '                  protocol: static',
        '                  layer: platform',
        '            hostnames:',
        '                - hostname: rk1-1',
        '                  layer: platform',
        '            resolvers:',
        '                - dnsServers:',
        '                    - 1.1.1.1',
        '                  layer: platform',
        '    systemExtensions:',
        '        officialExtensions:',
        '            - siderolabs/iscsi-tools',
        '            - siderolabs/util-linux-tools',
        '',
      ].join('\n'),
    })
  })

  it('has presets that grow from longhorn, with the guest agent only for amd64 VMs', () => {
    expect(presetExtensions('longhorn-nfs')).toEqual([
      'siderolabs/iscsi-tools',
      'siderolabs/util-linux-tools',
      'siderolabs/nfs-utils',
    ])
    expect(presetExtensions('full', findBoard('turing-rk1'))).not.toContain('siderolabs/qemu-guest-agent')
    expect(presetExtensions('full', findBoard('metal-amd64'))).toContain('siderolabs/qemu-guest-agent')
  })

  it('knows which Talos versions each board needs', () => {
    expect(boardVersionProblem(findBoard('turing-rk1')!, 'v1.8.3')).toMatch(/needs Talos v1.9.0-beta.0/)
    expect(boardVersionProblem(findBoard('turing-rk1')!, 'v1.9.0')).toBeNull()
    expect(boardVersionProblem(findBoard('rpi-5')!, 'v1.12.2')).toMatch(/1.12.3/)
    expect(boardVersionProblem(findBoard('rpi-5')!, '1.12.3')).toBeNull()
  })
})
