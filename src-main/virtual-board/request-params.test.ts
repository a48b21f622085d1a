import { describe, expect, it } from 'vitest'
import { nodeParam, parseQuery } from './request-params.ts'

describe('nodeParam', () => {
  it.each([
    ['node=0', 0],
    ['node=3', 3],
    ['node=256', 0],
    ['node=4', { error: 'Parameter `node` is out of range 0..3 of node IDs' }],
    ['node=-1', { error: 'Parameter `node` is out of range 0..3 of node IDs' }],
    ['node=x', { error: 'Parameter `node` is not a number' }],
    ['', { error: 'Missing `node` parameter' }],
  ])('reads %s', (query, expected) => {
    expect(nodeParam(parseQuery(query))).toEqual(expected)
  })

  it('lets a later duplicate win', () => {
    expect(parseQuery('a=1&a=2').get('a')).toBe('2')
  })
})
