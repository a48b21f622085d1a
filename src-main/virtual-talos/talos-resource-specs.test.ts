import { describe, expect, it } from 'vitest'
import {
  componentConfigSpec,
  encodeMessage,
  encodeStruct,
  manifestSpec,
  serviceSpec,
} from './talos-resource-specs.ts'

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')

describe('Talos resource specs in protobuf', () => {
  it('writes string, bytes and true bool fields with their numbers, leaving defaults out', () => {
    // field 1 (wire type 2) "ab"; field 2 (wire type 0) 1; the empty string and false are omitted.
    expect(
      hex(
        encodeMessage([
          [1, 'ab'],
          [2, true],
          [3, ''],
          [4, false],
        ]),
      ),
    ).toBe('0a0261621001')
    expect(hex(componentConfigSpec('img:v1').proto)).toBe(
      '0801' + '1206' + Buffer.from('img:v1').toString('hex'),
    )
    expect(hex(serviceSpec(true, false).proto)).toBe('0801')
  })

  it('writes lengths above 127 as multi-byte varints', () => {
    const long = 'x'.repeat(300)
    // 300 = 0b1_0010_1100 → 0xac 0x02
    expect(hex(encodeMessage([[1, long]])).slice(0, 8)).toBe('0aac0278')
  })

  it('writes objects as google.protobuf.Struct, keeping false and null inside values', () => {
    // fields{key "a", value{string_value "b"}}
    expect(hex(encodeStruct({ a: 'b' }))).toBe('0a08' + '0a0161' + '1203' + '1a0162')
    // bool_value false is written (a oneof member), null as null_value 0
    expect(hex(encodeStruct({ f: false }))).toBe('0a07' + '0a0166' + '1202' + '2000')
    expect(hex(encodeStruct({ n: null }))).toBe('0a07' + '0a016e' + '1202' + '0800')
    // number_value as a little-endian double: 1 → 000000000000f03f
    expect(hex(encodeStruct({ one: 1 }))).toBe('0a10' + '0a036f6e65' + '1209' + '11000000000000f03f')
    // list_value{values[string "x"]}, struct_value{fields{…}}
    expect(hex(encodeStruct({ l: ['x'] }))).toBe('0a0c' + '0a016c' + '1207' + '3205' + '0a03' + '1a0178')
    expect(hex(encodeStruct({ s: { a: 'b' } }))).toBe(
      '0a11' + '0a0173' + '120c' + '2a0a' + '0a08' + '0a0161' + '12031a0162',
    )
  })

  it('nests each manifest object as items[].object', () => {
    const struct = encodeStruct({ kind: 'DaemonSet' })
    const single = [0x0a, struct.length, ...struct]
    expect(hex(manifestSpec([{ kind: 'DaemonSet' }]).proto)).toBe(
      hex(Uint8Array.from([0x0a, single.length, ...single])),
    )
  })
})
