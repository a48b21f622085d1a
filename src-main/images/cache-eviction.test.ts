import { describe, expect, it } from 'vitest'
import type { CachedImage } from '../../src-shared/images/image-schemas.ts'
import { planEviction } from './cache-eviction.ts'

const MiB = 1024 * 1024

function image(name: string, sizeMib: number, lastUsedAt: string, pinned = false): CachedImage {
  return {
    sha256: name.padEnd(64, '0'),
    name,
    sizeBytes: sizeMib * MiB,
    packedSha256: null,
    packedSizeBytes: null,
    sourceUrl: null,
    addedAt: '2026-01-01T00:00:00Z',
    lastUsedAt,
    pinned,
    os: null,
    osVersion: null,
    arch: null,
  }
}

const images = [
  image('a', 1, '2026-01-03T00:00:00Z'),
  image('b', 1, '2026-01-01T00:00:00Z'),
  image('c', 1, '2026-01-02T00:00:00Z', true),
  image('d', 1, '2026-01-04T00:00:00Z'),
]
const names = (plan: { evict: CachedImage[] }) => plan.evict.map((each) => each.name)

describe('planEviction', () => {
  it('evicts nothing without a limit or when the image fits', () => {
    expect(planEviction(images, { limitBytes: null, incomingBytes: 99 * MiB, inUse: new Set() })).toEqual({
      fits: true,
      evict: [],
      keptBytes: MiB,
    })
    expect(
      names(planEviction(images, { limitBytes: 5 * MiB, incomingBytes: MiB, inUse: new Set() })),
    ).toEqual([])
  })

  it('evicts the least recently used first, skipping pinned and held images', () => {
    const plan = planEviction(images, {
      limitBytes: 4 * MiB,
      incomingBytes: 2 * MiB,
      inUse: new Set(['b'.padEnd(64, '0')]),
    })
    expect(plan).toMatchObject({ fits: true, keptBytes: 2 * MiB })
    expect(names(plan)).toEqual(['a', 'd'])
  })

  it('lists every candidate when even all of them are not enough', () => {
    const plan = planEviction(images, { limitBytes: 3 * MiB, incomingBytes: 3 * MiB, inUse: new Set() })
    expect(plan).toMatchObject({ fits: false, keptBytes: MiB })
    expect(names(plan)).toEqual(['b', 'a', 'd'])
  })
})
