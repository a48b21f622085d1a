import { describe, expect, it } from 'vitest'
import { formatOffset, formatStepDuration, timeScale } from './time-scale.ts'

describe('timeline time axis', () => {
  it('gives a short run a 10 s axis with second ticks', () => {
    const scale = timeScale(3_000)
    expect(scale.spanMs).toBe(10_000)
    expect(scale.tickMs).toBe(1_000)
    expect(scale.ticks).toHaveLength(11)
  })

  it('uses round ticks and at most ten of them, from a minute to a day', () => {
    for (const [elapsed, tick] of [
      [45_000, 5_000],
      [95_000, 10_000],
      [150_000, 15_000],
      [10 * 60_000, 60_000],
      [58 * 60_000, 600_000],
      [3 * 3_600_000, 1_800_000],
    ] as const) {
      const scale = timeScale(elapsed)
      expect(scale.tickMs, `tick for ${elapsed} ms`).toBe(tick)
      expect(scale.spanMs).toBeGreaterThanOrEqual(elapsed)
      expect(scale.spanMs % tick).toBe(0)
      expect(scale.ticks.length - 1).toBeLessThanOrEqual(10)
    }
  })

  it('leaves room on the right while a run goes on', () => {
    expect(timeScale(60_000, { headroom: true }).spanMs).toBeGreaterThan(60_000)
  })

  it('labels ticks and durations as people read them', () => {
    expect(formatOffset(0)).toBe('0')
    expect(formatOffset(45_000)).toBe('45 s')
    expect(formatOffset(150_000)).toBe('2 min 30 s')
    expect(formatOffset(5_400_000)).toBe('1 h 30 min')
    expect(formatStepDuration(420)).toBe('0.4 s')
    expect(formatStepDuration(42_000)).toBe('42 s')
    expect(formatStepDuration(125_000)).toBe('2 min 5 s')
  })
})
