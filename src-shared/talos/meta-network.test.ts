import { describe, expect, it } from 'vitest'
import { metalNetworkConfig, metalNetworkMeta } from './meta-network.ts'

describe('META key 10 (MetalNetworkPlatformConfig)', () => {
  it('writes the NetworkPlatformConfig seed 002 booted with: address, default route, hostname, resolvers', () => {
    expect(
      metalNetworkConfig({
        address: '10.0.0.11/24',
        link: 'end0',
        gateway: '10.0.0.1',
        hostname: 'rk1-node1',
        resolvers: ['1.1.1.1', '8.8.8.8'],
      }),
    ).toBe(
      [
        'addresses:',
        '    - address: 10.0.0.11/24',
        '      linkName: end0',
        '      family: inet4',
        '      scope: global',
        '      flags: permanent',
        '      layer: platform',
        'routes:',
        '    - family: inet4',
        '      dst: ""',
        '      gateway: 10.0.0.1',
        '      outLinkName: end0',
        '      table: main',
        '      priority: 1024',
        '      scope: global',
        '      type: unicast',
        '      protocol: static',
        '      layer: platform',
        'hostnames:',
        '    - hostname: rk1-node1',
        '      layer: platform',
        'resolvers:',
        '    - dnsServers:',
        '        - 1.1.1.1',
        '        - 8.8.8.8',
        '      layer: platform',
        '',
      ].join('\n'),
    )
  })

  it('leaves out what is not given, defaults the link to eth0 and handles IPv6', () => {
    expect(metalNetworkMeta({ address: 'fd00::11/64', gateway: 'fd00::1' })).toEqual({
      key: 10,
      value: [
        'addresses:',
        '    - address: fd00::11/64',
        '      linkName: eth0',
        '      family: inet6',
        '      scope: global',
        '      flags: permanent',
        '      layer: platform',
        'routes:',
        '    - family: inet6',
        '      dst: ""',
        '      gateway: fd00::1',
        '      outLinkName: eth0',
        '      table: main',
        '      priority: 1024',
        '      scope: global',
        '      type: unicast',
        '      protocol: static',
        '      layer: platform',
        '',
      ].join('\n'),
    })
  })

  it.each([
    [{ address: '10.0.0.11' }, 'prefix length'],
    [{ address: '10.0.0.300/24' }, 'prefix length'],
    [{ address: '10.0.0.11/33' }, 'prefix length'],
    [{ address: '10.0.0.11/24', gateway: 'fd00::1' }, 'same IP family'],
    [{ address: '10.0.0.11/24', hostname: 'Node_1' }, 'DNS name'],
    [{ address: '10.0.0.11/24', link: 'eth 0' }, 'interface name'],
    [{ address: '10.0.0.11/24', resolvers: ['dns.google'] }, 'IP address'],
  ])('refuses %j', (input, message) => {
    expect(() => metalNetworkConfig(input)).toThrow(message)
  })
})
