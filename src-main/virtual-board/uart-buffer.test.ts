import { describe, expect, it } from 'vitest'
import { decodeUart, UartRingBuffer } from './uart-buffer.ts'

describe('UartRingBuffer', () => {
  it('keeps only the newest bytes up to its capacity', () => {
    const buffer = new UartRingBuffer(8)
    buffer.append('abcdef')
    buffer.append('ghij')
    expect(buffer.read({ drain: false }).toString()).toBe('cdefghij')
  })

  it('returns the whole buffer without draining, or drains it', () => {
    const buffer = new UartRingBuffer()
    buffer.append('boot\r\n')
    expect(buffer.read({ drain: false }).toString()).toBe('boot\r\n')
    expect(buffer.read({ drain: true }).toString()).toBe('boot\r\n')
    expect(buffer.read({ drain: true }).length).toBe(0)
  })
})

describe('decodeUart', () => {
  it('decodes the supported encodings', () => {
    expect(decodeUart(Buffer.from('hé', 'utf8'), 'utf8')).toBe('hé')
    expect(decodeUart(Buffer.from('hé', 'utf16le'), 'utf16')).toBe('hé')
    expect(decodeUart(Buffer.from([0, 0x68]), 'utf16be')).toBe('h')
    expect(decodeUart(Buffer.from([0x68, 0, 0, 0]), 'utf32')).toBe('h')
    expect(decodeUart(Buffer.from([0, 0, 0, 0x68]), 'utf32be')).toBe('h')
    expect(decodeUart(Buffer.from([0xff]), 'utf8')).toBe('\uFFFD')
  })
})
