import { describe, expect, it } from 'vitest'
import { hashOf, placeFromHash, type Place } from './route.ts'

describe('routes in the URL fragment', () => {
  const places: Place[] = [
    { page: 'boards' },
    { page: 'board', boardId: 'b-1 two' },
    { page: 'clusters' },
    { page: 'profile', profileName: 'lab' },
    { page: 'cluster', clusterName: 'lab' },
    { page: 'library' },
    { page: 'talos-builder' },
    { page: 'armbian' },
  ]

  it('reads back every place it writes', () => {
    for (const place of places) expect(placeFromHash(hashOf(place))).toEqual(place)
    expect(hashOf({ page: 'profile', profileName: 'lab' })).toBe('#/profiles/lab')
    expect(placeFromHash('#/profiles/lab&token=abc')).toEqual({ page: 'profile', profileName: 'lab' })
    expect(hashOf({ page: 'cluster', clusterName: 'lab' })).toBe('#/clusters/lab')
  })

  it('takes the host token, an empty fragment and anything unknown for the boards page', () => {
    for (const hash of [
      '',
      '#',
      '#token=abc',
      '#/nowhere',
      '#/profiles/',
      '#/profiles/%E0%A4%A',
      '#/boards/a/b',
      '#/clusters/lab/x',
    ])
      expect(placeFromHash(hash)).toEqual({ page: 'boards' })
  })
})
