import { describe, expect, it } from 'vitest'
import { formatDecimalSize, formatHumantime } from './human-format.ts'

describe('formatHumantime', () => {
  it.each([
    [0, '0s'],
    [60_000, '1m'],
    [59_998.5, '59s 998ms 500us'],
    [1024 * 60_000, '17h 4m'],
    [90_061_001, '1day 1h 1m 1s 1ms'],
    [3 * 86_400_000, '3days'],
  ])('formats %s ms as %s', (ms, text) => {
    expect(formatHumantime(ms)).toBe(text)
  })
})

describe('formatDecimalSize', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1 kB'],
    [1500, '1.5 kB'],
    [12_345_678, '12.35 MB'],
    [2_000_000_000, '2 GB'],
  ])('formats %s bytes as %s', (bytes, text) => {
    expect(formatDecimalSize(bytes)).toBe(text)
  })
})
