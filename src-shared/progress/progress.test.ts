import { describe, expect, it } from 'vitest'
import { describeProgress } from './progress.ts'

const MiB = 1024 * 1024

describe('describeProgress', () => {
  it('words bytes of the total, percent, rate and time left', () => {
    expect(
      describeProgress({
        bytesDone: 256 * MiB,
        bytesTotal: 1024 * MiB,
        bytesPerSecond: 25 * MiB,
        etaSeconds: 125,
      }),
    ).toEqual({ percent: 25, bytes: '256.0 MiB of 1.00 GiB', rate: '25.0 MiB/s', eta: '2 min 05 s left' })
  })

  it('says only what is known: no total, no rate yet', () => {
    expect(
      describeProgress({ bytesDone: 512, bytesTotal: null, bytesPerSecond: 0, etaSeconds: null }),
    ).toEqual({
      percent: null,
      bytes: '512 B',
      rate: null,
      eta: null,
    })
  })
})
