import { describe, expect, it } from 'vitest'
import {
  emitYaml,
  formatGoFloat,
  resolvePlain,
  scalarStyle,
  sortKeysNaturally,
  type YamlNode,
} from './go-yaml.ts'

const str = (value: string): YamlNode => ({ kind: 'str', value })
/** One string as a list item under a key, the position of kernel args and extensions. */
const asItem = (value: string) =>
  emitYaml({ kind: 'map', entries: [['k', { kind: 'seq', items: [str(value)] }]] }).text
const asValue = (value: string) => emitYaml({ kind: 'map', entries: [['k', str(value)]] }).text

// Expected renderings derived by hand from go-yaml's stringv, resolve and yaml_emitter_analyze_scalar
// (talos.md §2.1): plain when it resolves to a string and has no indicator problem; double-quoted
// when plain text would read as bool/null/number/timestamp; single-quoted for indicators.
describe('go-yaml scalar quoting', () => {
  it.each([
    // plain
    ['console=ttyS0,115200', 'console=ttyS0,115200'],
    ['net.ifnames=0', 'net.ifnames=0'],
    [
      'ip=10.0.0.2::10.0.0.1:255.255.255.0:node1:eth0:off',
      'ip=10.0.0.2::10.0.0.1:255.255.255.0:node1:eth0:off',
    ],
    ['talos.events.sink=[fdae:41e4:649b:9303::1]:8090', 'talos.events.sink=[fdae:41e4:649b:9303::1]:8090'],
    [
      'siderolink.api=grpc://10.5.0.1:8090?grpc_tunnel=true&jointoken=abc',
      'siderolink.api=grpc://10.5.0.1:8090?grpc_tunnel=true&jointoken=abc',
    ],
    ['-dash', '-dash'],
    ['a:b', 'a:b'],
    ['2001:db8::1', '2001:db8::1'],
    ['a#b', 'a#b'],
    ['?x', '?x'],
    [':x', ':x'],
    ["it's", "it's"],
    ['a"b', 'a"b'],
    ['a\\b', 'a\\b'],
    ['v1.9.2', 'v1.9.2'],
    ['1.2.3', '1.2.3'],
    ['.', '.'],
    ['nULL', 'nULL'],
    ['2024-02-30', '2024-02-30'],
    ['1e400', '1e400'],
    ['0xZZ', '0xZZ'],
    ['é', 'é'],
    ['\u00a0', '\u00a0'],
    // double-quoted: would resolve to something else, or is one of YAML 1.1's booleans
    ['true', '"true"'],
    ['True', '"True"'],
    ['FALSE', '"FALSE"'],
    ['yes', '"yes"'],
    ['Yes', '"Yes"'],
    ['on', '"on"'],
    ['off', '"off"'],
    ['no', '"no"'],
    ['NO', '"NO"'],
    ['y', '"y"'],
    ['n', '"n"'],
    ['null', '"null"'],
    ['~', '"~"'],
    ['', '""'],
    ['123', '"123"'],
    ['-7', '"-7"'],
    ['+1', '"+1"'],
    ['007', '"007"'],
    ['09', '"09"'],
    ['1_000', '"1_000"'],
    ['1.5', '"1.5"'],
    ['.5', '".5"'],
    ['1e3', '"1e3"'],
    ['0x1f', '"0x1f"'],
    ['0o17', '"0o17"'],
    ['0b101', '"0b101"'],
    ['.inf', '".inf"'],
    ['-.Inf', '"-.Inf"'],
    ['.NaN', '".NaN"'],
    ['10:20', '"10:20"'],
    ['-1:30:00', '"-1:30:00"'],
    ['2024-01-15', '"2024-01-15"'],
    ['tab\there', '"tab\\there"'],
    ['bell\u0007', '"bell\\a"'],
    ['nul\u0000', '"nul\\0"'],
    ['esc\u001b', '"esc\\e"'],
    ['del\u007f', '"del\\x7F"'],
    ['c1\u0090', '"c1\\x90"'],
    ['bom\ufeff', '"bom\\uFEFF"'],
    // single-quoted: an indicator or surrounding space makes plain text impossible
    [' x', "' x'"],
    ['x ', "'x '"],
    ['-', "'-'"],
    ['- a', "'- a'"],
    ['#c', "'#c'"],
    ['a #b', "'a #b'"],
    ['a: b', "'a: b'"],
    ['a:', "'a:'"],
    ['? x', "'? x'"],
    ['{}', "'{}'"],
    ['[a]', "'[a]'"],
    ['*a', "'*a'"],
    ['&a', "'&a'"],
    ['!a', "'!a'"],
    ['%a', "'%a'"],
    ['@a', "'@a'"],
    ['`a', "'`a'"],
    ['|a', "'|a'"],
    ['>a', "'>a'"],
    [',a', "',a'"],
    ['---', "'---'"],
    ['...x', "'...x'"],
    ["'q'", "'''q'''"],
    ['"dq"', `'"dq"'`],
    [" it's ", "' it''s '"],
  ])('%j is written as %s', (value, written) => {
    expect(asItem(value)).toBe(`k:\n    - ${written}\n`)
    expect(asValue(value)).toBe(`k: ${written}\n`)
  })

  it('reports what it cannot be sure of', () => {
    expect(scalarStyle('😀')).toEqual({
      style: 'double',
      uncertain: [expect.stringContaining('Multilingual')],
    })
    expect(asValue('😀')).toBe('k: "\\U0001F600"\n')
    expect(scalarStyle('<<').uncertain).not.toEqual([])
    expect(asValue('<<')).toBe('k: "<<"\n')
    expect(scalarStyle('2024-01-15T10:00:00Z').uncertain).not.toEqual([])
    expect(scalarStyle('plain').uncertain).toEqual([])
  })
})

describe('go-yaml literal blocks', () => {
  it.each([
    ['a\nb', 'k: |-\n    a\n    b\n'],
    ['a\nb\n', 'k: |\n    a\n    b\n'],
    ['a\n', 'k: |\n    a\n'],
    [' a\nb\n', 'k: |4\n     a\n    b\n'],
    ['\na', 'k: |4-\n\n    a\n'],
    ['a\n b', 'k: |-\n    a\n     b\n'],
    ['a\n\nb\n', 'k: |\n    a\n\n    b\n'],
    ['a\tb\nc', 'k: |-\n    a\tb\n    c\n'],
    // a space before a line break, a trailing space or a control character forbid the block
    ['a \nb', 'k: "a \\nb"\n'],
    ['a\nb ', 'k: "a\\nb "\n'],
    ['a\r\nb', 'k: "a\\r\\nb"\n'],
    // go-yaml v4 (the factory's since Nov 2025) quotes blank multi-line strings
    ['\n', 'k: "\\n"\n'],
  ])('%j is written as %j', (value, written) => {
    expect(asValue(value)).toBe(written)
  })

  it('keeps several trailing newlines with |+ and then ends the document with ...', () => {
    const result = emitYaml({ kind: 'map', entries: [['k', str('a\n\n')]] })
    expect(result.text).toBe('k: |+\n    a\n\n...\n')
    expect(result.uncertain).not.toEqual([])
    const followed = emitYaml({
      kind: 'map',
      entries: [
        ['k', str('a\n\n')],
        ['z', str('x')],
      ],
    })
    expect(followed.text).toBe('k: |+\n    a\n\nz: x\n')
  })

  it('indents a block in a list item by the dash column + 2, and in a mapping to the next multiple of 4', () => {
    const doc: YamlNode = {
      kind: 'map',
      entries: [
        [
          'customization',
          {
            kind: 'map',
            entries: [
              ['embedded', str('a: 1\n')],
              [
                'list',
                {
                  kind: 'seq',
                  items: [
                    str('x\ny'),
                    {
                      kind: 'map',
                      entries: [
                        ['key', { kind: 'plain', text: '1' }],
                        ['value', str('v\n')],
                      ],
                    },
                  ],
                },
              ],
            ],
          },
        ],
      ],
    }
    expect(emitYaml(doc).text).toBe(
      'customization:\n' +
        '    embedded: |\n' +
        '        a: 1\n' +
        '    list:\n' +
        '        - |-\n' +
        '          x\n' +
        '          y\n' +
        '        - key: 1\n' +
        '          value: |\n' +
        '            v\n',
    )
  })

  it('writes empty collections in flow style and nested lists after the dash', () => {
    const doc: YamlNode = {
      kind: 'map',
      entries: [
        ['m', { kind: 'map', entries: [] }],
        ['s', { kind: 'seq', items: [] }],
        [
          'l',
          {
            kind: 'seq',
            items: [
              { kind: 'seq', items: [str('a'), str('b')] },
              { kind: 'map', entries: [] },
            ],
          },
        ],
      ],
    }
    expect(emitYaml(doc).text).toBe('m: {}\ns: []\nl:\n    - - a\n      - b\n    - {}\n')
    expect(emitYaml({ kind: 'map', entries: [] }).text).toBe('{}\n')
  })

  it('quotes keys like values, and multi-line keys always with double quotes', () => {
    const doc: YamlNode = {
      kind: 'map',
      entries: [
        ['a b', str('1 ')],
        ['true', str('x')],
        ['', str('x')],
        ['a\nb', str('x')],
        ['a: b', str('x')],
      ],
    }
    expect(emitYaml(doc).text).toBe(`a b: '1 '\n"true": x\n"": x\n"a\\nb": x\n'a: b': x\n`)
  })
})

describe('resolvePlain', () => {
  it.each([
    ['', 'null'],
    ['~', 'null'],
    ['true', 'bool'],
    ['yes', 'str'],
    ['12', 'int'],
    ['-0', 'float'],
    ['9223372036854775807', 'int'],
    ['18446744073709551615', 'int'],
    ['18446744073709551616', 'float'],
    ['0xFFFFFFFFFFFFFFFFFF', 'str'],
    ['1e5', 'float'],
    ['2001-12-14', 'timestamp'],
    ['abc', 'str'],
  ])('%j resolves to %s', (text, tag) => {
    expect(resolvePlain(text).tag).toBe(tag)
  })
})

describe('sortKeysNaturally', () => {
  it('orders digit runs by value, upper case before lower case, and non-letters as go-yaml does', () => {
    expect(sortKeysNaturally(['spi_boot', 'b10', 'a10', 'configTxt', 'B', 'a2', 'b9', 'a'])).toEqual([
      'B',
      'a',
      'a2',
      'a10',
      'b9',
      'b10',
      'configTxt',
      'spi_boot',
    ])
    // After a shared digit a letter sorts first; otherwise the non-letter does.
    expect(sortKeysNaturally(['x1_', 'x1y'])).toEqual(['x1y', 'x1_'])
    expect(sortKeysNaturally(['xy', 'x_'])).toEqual(['x_', 'xy'])
    expect(sortKeysNaturally(['a01', 'a1'])).toEqual(['a1', 'a01'])
  })
})

describe('formatGoFloat', () => {
  it.each([
    [1.5, '1.5'],
    [100000, '100000'],
    [1e6, '1e+06'],
    [1234567, '1.234567e+06'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [-2.5e-7, '-2.5e-07'],
    [1e21, '1e+21'],
    [-0, '-0'],
    [Infinity, '.inf'],
    [NaN, '.nan'],
  ])('%d → %s', (value, text) => {
    expect(formatGoFloat(value)).toBe(text)
  })
})
