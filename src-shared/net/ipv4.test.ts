import { describe, expect, it } from 'vitest'
import {
  formatIpv4,
  isHostAddress,
  networkContains,
  networksOverlap,
  parseIpv4,
  parseIpv4Cidr,
  parseIpv4Range,
} from './ipv4.ts'

describe('ipv4', () => {
  it('parses and formats dotted quads, refusing sloppy ones', () => {
    expect(parseIpv4('10.10.88.73')).toBe(0x0a0a5849)
    expect(formatIpv4(0x0a0a5849)).toBe('10.10.88.73')
    for (const bad of ['10.10.88', '10.10.88.256', '010.1.1.1', '1.2.3.4.5', 'a.b.c.d', '']) {
      expect(parseIpv4(bad), bad).toBeNull()
    }
  })

  it('parses networks and refuses host bits', () => {
    const net = parseIpv4Cidr('10.10.88.0/24')!
    expect(net.size).toBe(256)
    expect(networkContains(net, parseIpv4('10.10.88.255')!)).toBe(true)
    expect(networkContains(net, parseIpv4('10.10.89.0')!)).toBe(false)
    expect(isHostAddress(net, parseIpv4('10.10.88.0')!)).toBe(false)
    expect(isHostAddress(net, parseIpv4('10.10.88.255')!)).toBe(false)
    expect(isHostAddress(net, parseIpv4('10.10.88.1')!)).toBe(true)
    expect(parseIpv4Cidr('10.10.88.1/24')).toBeNull()
    expect(parseIpv4Cidr('10.10.88.0/33')).toBeNull()
  })

  it('tells overlapping networks apart', () => {
    expect(networksOverlap(parseIpv4Cidr('10.42.0.0/16')!, parseIpv4Cidr('10.42.128.0/17')!)).toBe(true)
    expect(networksOverlap(parseIpv4Cidr('10.42.0.0/16')!, parseIpv4Cidr('10.43.0.0/16')!)).toBe(false)
  })

  it('parses ranges written three ways', () => {
    expect(parseIpv4Range('10.10.88.80-10.10.88.89')).toEqual({
      first: parseIpv4('10.10.88.80'),
      last: parseIpv4('10.10.88.89'),
    })
    expect(parseIpv4Range('10.10.88.80')).toEqual({
      first: parseIpv4('10.10.88.80'),
      last: parseIpv4('10.10.88.80'),
    })
    expect(parseIpv4Range('10.10.88.80/30')).toEqual({
      first: parseIpv4('10.10.88.80'),
      last: parseIpv4('10.10.88.83'),
    })
    expect(parseIpv4Range('10.10.88.89-10.10.88.80')).toBeNull()
  })
})
