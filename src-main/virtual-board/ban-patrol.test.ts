import { describe, expect, it } from 'vitest'
import { BanPatrol } from './ban-patrol.ts'

function manualClock() {
  let now = 1_000
  return { now: () => now, advance: (ms: number) => (now += ms) }
}

describe('BanPatrol', () => {
  it('blocks from the 5th consecutive failure for 1 min, doubling after each further failure', () => {
    const clock = manualClock()
    const patrol = new BanPatrol(5, clock)
    for (let i = 0; i < 4; i++) expect(patrol.penalize('a')).toBeUndefined()
    expect(patrol.blockedFor('a')).toBeUndefined()
    expect(patrol.penalize('a')).toBe(60_000)
    expect(patrol.blockedFor('b')).toBeUndefined()
    clock.advance(60_000)
    expect(patrol.blockedFor('a')).toBeUndefined()
    expect(patrol.penalize('a')).toBe(120_000)
    clock.advance(120_000)
    expect(patrol.penalize('a')).toBe(240_000)
  })

  it('caps the block at 1024 min', () => {
    const patrol = new BanPatrol(5, manualClock())
    let last: number | undefined
    for (let i = 0; i < 30; i++) last = patrol.penalize('a')
    expect(last).toBe(1024 * 60_000)
  })

  it('forgets the count after a success', () => {
    const patrol = new BanPatrol(5, manualClock())
    for (let i = 0; i < 4; i++) patrol.penalize('a')
    patrol.clear('a')
    expect(patrol.penalize('a')).toBeUndefined()
  })
})
