import { describe, expect, it } from 'vitest'
import { canonicalSchematic, schematicId } from '../../src-shared/talos/schematic.ts'
import { parseSchematicText } from './schematic-file.ts'

const canonical = (text: string) => canonicalSchematic(parseSchematicText(text, 'test.yaml').schematic).yaml

describe('schematic files, decoded as the factory decodes them', () => {
  it('reads the image-factory test documents to their published IDs', async () => {
    const cases: Array<[string, string]> = [
      ['{}', '376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba'],
      ['', '376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba'],
      [
        'customization: {"extraKernelArgs": []}',
        '376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba',
      ],
      [
        '{"customization": {"extraKernelArgs": ["noapic", "nolapic"], "systemExtensions": {}}}',
        '9cba8e32753f91a16c1837ab8abf356af021706ef284aef07380780177d9a06c',
      ],
      [
        '{"customization": {"meta": [{"key": 10, "value": "foo"}], "extraKernelArgs": [], "systemExtensions": {}}}',
        'd308a2a5ee2277bed5fbaa104fcbc8d59122abfa737df987a95b4ca763459a7f',
      ],
      [
        '{"overlay": {"name": "rpi_generic", "image": "siderolabs/sbc-raspberrypi"},"customization":{}}',
        'ee21ef4a5ef808a9b7484cc0dda0f25075021691c8c09a276591eedb638ea1f9',
      ],
      [
        '{"customization":{"secureboot": {"includeWellKnownCertificates": true}}}',
        'fa8e05f142a851d3ee568eb0a8e5841eaf6b0ebc8df9a63df16ac5ed2c04f3e6',
      ],
    ]
    for (const [text, id] of cases)
      expect(await schematicId(parseSchematicText(text, 'test.yaml').schematic)).toBe(id)
  })

  it('takes any scalar as text, null as nothing, hex META keys, and keeps the order given', () => {
    const text = [
      '# comments and key order do not matter',
      'customization:',
      '  systemExtensions:',
      '    officialExtensions: [siderolabs/util-linux-tools, siderolabs/iscsi-tools]',
      '  meta:',
      '    - {value: 123, key: 0xa}',
      '    - key: 0o14',
      '      value: ~',
      '    - key: 13',
      "      value: 'yes'",
      '  extraKernelArgs: [true, 1.5, "a b"]',
      '  embeddedMachineConfiguration:',
      '  bootloader: GRUB',
      '  secureboot: {includeWellKnownCertificates: on}',
      'overlay:',
      '  name: rpi_5',
      '  image: siderolabs/sbc-raspberrypi',
      '  options:',
      '    configTxtAppend: |',
      '      dtparam=pciex1',
      '    count: 0x10',
      '    ratio: 2.50',
      '    flag: Yes',
      '    none:',
      '---',
      'ignored: second document',
    ].join('\n')
    expect(canonical(text)).toBe(
      [
        'overlay:',
        '    image: siderolabs/sbc-raspberrypi',
        '    name: rpi_5',
        '    options:',
        '        configTxtAppend: |',
        '            dtparam=pciex1',
        '        count: 16',
        '        flag: "Yes"',
        '        none: null',
        '        ratio: 2.5',
        'customization:',
        '    extraKernelArgs:',
        '        - "true"',
        '        - "1.5"',
        '        - a b',
        '    meta:',
        '        - key: 10',
        '          value: "123"',
        '        - key: 12',
        '          value: ""',
        '        - key: 13',
        '          value: "yes"',
        '    systemExtensions:',
        '        officialExtensions:',
        '            - siderolabs/util-linux-tools',
        '            - siderolabs/iscsi-tools',
        '    bootloader: grub',
        '    secureboot:',
        '        includeWellKnownCertificates: true',
        '',
      ].join('\n'),
    )
  })

  it.each([
    ['foo: 1', /field foo not found in type schematic.Schematic/],
    ['customization: {extraKernelArgs: [a], extraKernelArgs: [b]}', /not valid YAML|set twice/],
    ['customization: {meta: [{key: "10", value: x}]}', /quoted/],
    ['customization: {meta: [{key: 256, value: x}]}', /0–255/],
    ['customization: {meta: [{key: -1, value: x}]}', /0–255/],
    ['customization: [a]', /expected a mapping/],
    ['customization: {systemExtensions: {officialExtensions: siderolabs/iscsi-tools}}', /expected a list/],
    ['customization: {bootloader: lilo}', /one of none, dual-boot, sd-boot, grub/],
    ['customization: {secureboot: {includeWellKnownCertificates: maybe}}', /true or false/],
    ['owner: someone', /Enterprise/],
    ['customization: {extraKernelArgs: [a', /not valid YAML/],
    ['customization: {bootloader: !!binary Z3J1Yg==}', /tag/],
  ])('refuses %j', (text, message) => {
    expect(() => parseSchematicText(text, 'test.yaml')).toThrow(message)
  })

  it('resolves anchors and aliases', () => {
    expect(canonical('customization:\n  meta: [{key: 1, value: &v hello}, {key: 2, value: *v}]')).toBe(
      'customization:\n    meta:\n        - key: 1\n          value: hello\n        - key: 2\n          value: hello\n',
    )
  })
})
