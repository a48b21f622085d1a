import { describe, expect, it } from 'vitest'
import {
  canonicalSchematic,
  normalizeSchematic,
  parseSchematic,
  schematicId,
  sha256Hex,
} from './schematic.ts'

// Published IDs: talos.md §2.2 and §3 (the RK1, Pi and Proxmox prefixes) and image-factory's own
// schematic_test.go. Each canonical text is checked character by character; the ID follows from it.
const published: Array<[string, unknown, string, string]> = [
  ['empty', {}, 'customization: {}\n', '376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba'],
  [
    'longhorn',
    {
      customization: {
        systemExtensions: { officialExtensions: ['siderolabs/iscsi-tools', 'siderolabs/util-linux-tools'] },
      },
    },
    'customization:\n    systemExtensions:\n        officialExtensions:\n            - siderolabs/iscsi-tools\n            - siderolabs/util-linux-tools\n',
    '613e1592b2da41ae5e265e8789429f22e121aab91cb4deb6bc3c0b6262961245',
  ],
  [
    'kernel args',
    { customization: { extraKernelArgs: ['noapic', 'nolapic'] } },
    'customization:\n    extraKernelArgs:\n        - noapic\n        - nolapic\n',
    '9cba8e32753f91a16c1837ab8abf356af021706ef284aef07380780177d9a06c',
  ],
  [
    'meta',
    { customization: { meta: [{ key: 0x0a, value: 'foo' }] } },
    'customization:\n    meta:\n        - key: 10\n          value: foo\n',
    'd308a2a5ee2277bed5fbaa104fcbc8d59122abfa737df987a95b4ca763459a7f',
  ],
  [
    'rpi_generic',
    { overlay: { name: 'rpi_generic', image: 'siderolabs/sbc-raspberrypi' } },
    'overlay:\n    image: siderolabs/sbc-raspberrypi\n    name: rpi_generic\ncustomization: {}\n',
    'ee21ef4a5ef808a9b7484cc0dda0f25075021691c8c09a276591eedb638ea1f9',
  ],
  [
    'secureboot',
    { customization: { secureboot: { includeWellKnownCertificates: true } } },
    'customization:\n    secureboot:\n        includeWellKnownCertificates: true\n',
    'fa8e05f142a851d3ee568eb0a8e5841eaf6b0ebc8df9a63df16ac5ed2c04f3e6',
  ],
  [
    'turingrk1',
    { overlay: { image: 'siderolabs/sbc-rockchip', name: 'turingrk1' } },
    'overlay:\n    image: siderolabs/sbc-rockchip\n    name: turingrk1\ncustomization: {}\n',
    'df156b82096feda49406ac03aa44e0ace524b7efe4e1f0e144a1e1ae3930f1c0',
  ],
  [
    'turingrk1 + longhorn',
    {
      overlay: { image: 'siderolabs/sbc-rockchip', name: 'turingrk1' },
      customization: {
        systemExtensions: { officialExtensions: ['siderolabs/iscsi-tools', 'siderolabs/util-linux-tools'] },
      },
    },
    'overlay:\n    image: siderolabs/sbc-rockchip\n    name: turingrk1\ncustomization:\n    systemExtensions:\n        officialExtensions:\n            - siderolabs/iscsi-tools\n            - siderolabs/util-linux-tools\n',
    '85f683902139269fbc5a7f64ea94a694d31e0b3d94347a225223fcbd042083ae',
  ],
  [
    'qemu-guest-agent',
    { customization: { systemExtensions: { officialExtensions: ['siderolabs/qemu-guest-agent'] } } },
    'customization:\n    systemExtensions:\n        officialExtensions:\n            - siderolabs/qemu-guest-agent\n',
    'ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515',
  ],
]

describe('schematic IDs: published vectors', () => {
  it.each(published)('%s', async (_name, input, canonical, id) => {
    const schematic = parseSchematic(input)
    expect(canonicalSchematic(schematic)).toEqual({ yaml: canonical, uncertain: [] })
    expect(await schematicId(schematic)).toBe(id)
  })

  it.each([
    ['customization: {}', { customization: {} }],
    [
      'empty lists and structs',
      {
        customization: { extraKernelArgs: [], meta: [], systemExtensions: {}, secureboot: {}, diskImage: {} },
      },
    ],
    [
      'bootloader none, zero sector size, false certificates',
      {
        customization: {
          bootloader: 'none',
          diskImage: { sectorSize: 0 },
          secureboot: { includeWellKnownCertificates: false },
        },
      },
    ],
    ['an empty overlay', { overlay: { image: '', name: '', options: {} } }],
  ])('omits zero values: %s', async (_name, input) => {
    expect(await schematicId(parseSchematic(input))).toBe(published[0]![3])
  })
})

// Vectors of our own. The canonical texts were derived by hand from talos.md §2.1 and go-yaml's
// emitter rules (field order, omitempty, 4-space steps, list dashes at +4, block scalars).
const everyField = {
  overlay: {
    image: 'siderolabs/sbc-raspberrypi',
    name: 'rpi_generic',
    options: {
      configTxtAppend: 'dtoverlay=vc4-kms-v3d\ngpu_mem=64',
      spi_boot: true,
      b10: 1,
      b9: 2.5,
      list: [1, 'two', null],
      nested: { z: false, A: 'yes' },
    },
  },
  customization: {
    embeddedMachineConfiguration: 'apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: node-1\n',
    extraKernelArgs: ['net.ifnames=0', 'console=ttyS2,115200', 'talos.dashboard.disabled=1', 'x=true', ''],
    meta: [
      { key: 0, value: '' },
      { key: 12, value: ' indented first line\nsecond\n' },
      { key: 255, value: '{}' },
      { key: 14, value: 'true' },
    ],
    systemExtensions: { officialExtensions: ['siderolabs/iscsi-tools', 'siderolabs/util-linux-tools'] },
    bootloader: 'dual-boot',
    secureboot: { includeWellKnownCertificates: true },
    diskImage: { sectorSize: 4096 },
  },
}

const everyFieldCanonical = [
  'overlay:',
  '    image: siderolabs/sbc-raspberrypi',
  '    name: rpi_generic',
  '    options:',
  '        b9: 2.5',
  '        b10: 1',
  '        configTxtAppend: |-',
  '            dtoverlay=vc4-kms-v3d',
  '            gpu_mem=64',
  '        list:',
  '            - 1',
  '            - two',
  '            - null',
  '        nested:',
  '            A: "yes"',
  '            z: false',
  '        spi_boot: true',
  'customization:',
  '    embeddedMachineConfiguration: |',
  '        apiVersion: v1alpha1',
  '        kind: HostnameConfig',
  '        hostname: node-1',
  '    extraKernelArgs:',
  '        - net.ifnames=0',
  '        - console=ttyS2,115200',
  '        - talos.dashboard.disabled=1',
  '        - x=true',
  '        - ""',
  '    meta:',
  '        - key: 0',
  '          value: ""',
  '        - key: 12',
  '          value: |4',
  '             indented first line',
  '            second',
  '        - key: 255',
  "          value: '{}'",
  '        - key: 14',
  '          value: "true"',
  '    systemExtensions:',
  '        officialExtensions:',
  '            - siderolabs/iscsi-tools',
  '            - siderolabs/util-linux-tools',
  '    bootloader: dual-boot',
  '    secureboot:',
  '        includeWellKnownCertificates: true',
  '    diskImage:',
  '        sectorSize: 4096',
  '',
].join('\n')

describe('schematic IDs: our own vectors', () => {
  it('renders every field in the factory order with go-yaml quoting', async () => {
    const schematic = parseSchematic(everyField)
    const canonical = canonicalSchematic(schematic)
    expect(canonical.yaml).toBe(everyFieldCanonical)
    expect(canonical.uncertain).toEqual([])
    expect(await schematicId(schematic)).toBe(await sha256Hex(everyFieldCanonical))
    expect(await schematicId(schematic)).toBe(
      '966255f90b203b28f4b03c4205bf36dac04b2f777c8bf52895043cc6568fa67b',
    )
  })

  it('writes an overlay without image as image: ""', () => {
    expect(canonicalSchematic(parseSchematic({ overlay: { name: 'turingrk1' } })).yaml).toBe(
      'overlay:\n    image: ""\n    name: turingrk1\ncustomization: {}\n',
    )
  })

  it('keeps the order it is given (the POST does) until normalized as the web UI does', () => {
    const given = parseSchematic({
      customization: {
        extraKernelArgs: [' a  b ', 'c'],
        systemExtensions: {
          officialExtensions: [
            'siderolabs/util-linux-tools',
            'siderolabs/iscsi-tools',
            'siderolabs/iscsi-tools',
          ],
        },
      },
    })
    expect(canonicalSchematic(given).yaml).toBe(
      "customization:\n    extraKernelArgs:\n        - ' a  b '\n        - c\n    systemExtensions:\n        officialExtensions:\n            - siderolabs/util-linux-tools\n            - siderolabs/iscsi-tools\n            - siderolabs/iscsi-tools\n",
    )
    expect(canonicalSchematic(normalizeSchematic(given)).yaml).toBe(
      'customization:\n    extraKernelArgs:\n        - a\n        - b\n        - c\n    systemExtensions:\n        officialExtensions:\n            - siderolabs/iscsi-tools\n            - siderolabs/util-linux-tools\n',
    )
  })

  it('sorts extensions byte-wise: upper case and digits before lower case', () => {
    const s = normalizeSchematic(
      parseSchematic({
        customization: { systemExtensions: { officialExtensions: ['b/x', 'a/y', 'B/z', '1/a'] } },
      }),
    )
    expect(s.customization?.systemExtensions?.officialExtensions).toEqual(['1/a', 'B/z', 'a/y', 'b/x'])
  })

  it('omits enrollKeys if-safe (the factory enum’s zero value) and flags every enrollKeys as unconfirmed', () => {
    const safe = canonicalSchematic(
      parseSchematic({ customization: { secureboot: { enrollKeys: 'if-safe' } } }),
    )
    expect(safe.yaml).toBe('customization: {}\n')
    expect(safe.uncertain).toHaveLength(1)
    const manual = canonicalSchematic(
      parseSchematic({
        customization: { secureboot: { enrollKeys: 'manual', includeWellKnownCertificates: true } },
      }),
    )
    expect(manual.yaml).toBe(
      'customization:\n    secureboot:\n        enrollKeys: manual\n        includeWellKnownCertificates: true\n',
    )
  })

  it.each([
    [{ customization: { meta: [{ key: 256, value: 'x' }] } }, 'must be 0–255'],
    [{ customization: { meta: [{ key: 1.5, value: 'x' }] } }, 'whole number'],
    [{ customization: { bootloader: 'lilo' } }, 'must be one of none, dual-boot, sd-boot, grub'],
    [{ customization: { systemExtensions: { officialExtensions: [''] } } }, 'empty name'],
    [{ customization: { extraKernelArgs: ['\ud800'] } }, 'lone surrogate'],
    [{ owner: 'me' }, 'owner'],
    [{ customization: { foo: 1 } }, 'foo'],
  ])('refuses %j', (input, message) => {
    expect(() => parseSchematic(input)).toThrow(message)
  })
})
