// META key 10 (MetalNetworkPlatformConfig, talos.md §2.5): a node's static network baked into its
// image, in the NetworkPlatformConfig shape seed 002 used successfully. Talos applies it at the
// platform layer before any other networking, so the node boots straight onto its address.
import { z } from 'zod'
import { emitYaml, type YamlNode } from './go-yaml.ts'
import type { MetaValue } from './schematic.ts'

export const metalNetworkMetaKey = 10

const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/
const ipv6 = /^[0-9a-fA-F:]*:[0-9a-fA-F:.]*$/
const isIp = (value: string) => ipv4.test(value) || ipv6.test(value)
const family = (address: string) => (address.includes(':') ? 'inet6' : 'inet4')

export const staticNetworkSchema = z
  .object({
    /** The node's address with its prefix length, e.g. 10.0.0.11/24. */
    address: z.string().refine(
      (value) => {
        const [ip, prefix, ...rest] = value.split('/')
        if (rest.length > 0 || !ip || prefix === undefined || !/^\d{1,3}$/.test(prefix) || !isIp(ip))
          return false
        return Number(prefix) <= (family(ip) === 'inet4' ? 32 : 128)
      },
      { message: 'must be an IP address with its prefix length, e.g. 10.0.0.11/24' },
    ),
    /** The interface; Talos names it predictably (eth0 on VMs; check `talosctl get links --insecure`). */
    link: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,15}$/, { message: 'must be an interface name such as eth0 or end0' })
      .default('eth0'),
    gateway: z.string().refine(isIp, { message: 'must be an IP address' }).optional(),
    hostname: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, {
        message: 'must be a DNS name: lower-case letters, digits and hyphens',
      })
      .optional(),
    resolvers: z.array(z.string().refine(isIp, { message: 'must be an IP address' })).default([]),
  })
  .strict()
  .refine((n) => !n.gateway || family(n.gateway) === family(n.address.split('/')[0]!), {
    message: 'the gateway must be of the same IP family as the address',
    path: ['gateway'],
  })

export type StaticNetwork = z.output<typeof staticNetworkSchema>
export type StaticNetworkInput = z.input<typeof staticNetworkSchema>

const s = (value: string): YamlNode => ({ kind: 'str', value })
const item = (entries: Array<[string, YamlNode]>): YamlNode => ({ kind: 'map', entries })

/** The YAML value of META key 10 for one node. */
export function metalNetworkConfig(input: StaticNetworkInput): string {
  const n = staticNetworkSchema.parse(input)
  const fam = family(n.address)
  const doc: Array<[string, YamlNode]> = [
    [
      'addresses',
      {
        kind: 'seq',
        items: [
          item([
            ['address', s(n.address)],
            ['linkName', s(n.link)],
            ['family', s(fam)],
            ['scope', s('global')],
            ['flags', s('permanent')],
            ['layer', s('platform')],
          ]),
        ],
      },
    ],
  ]
  if (n.gateway) {
    doc.push([
      'routes',
      {
        kind: 'seq',
        items: [
          item([
            ['family', s(fam)],
            ['dst', s('')],
            ['gateway', s(n.gateway)],
            ['outLinkName', s(n.link)],
            ['table', s('main')],
            ['priority', { kind: 'plain', text: '1024' }],
            ['scope', s('global')],
            ['type', s('unicast')],
            ['protocol', s('static')],
            ['layer', s('platform')],
          ]),
        ],
      },
    ])
  }
  if (n.hostname) {
    doc.push([
      'hostnames',
      {
        kind: 'seq',
        items: [
          item([
            ['hostname', s(n.hostname)],
            ['layer', s('platform')],
          ]),
        ],
      },
    ])
  }
  if (n.resolvers.length > 0) {
    doc.push([
      'resolvers',
      {
        kind: 'seq',
        items: [
          item([
            ['dnsServers', { kind: 'seq', items: n.resolvers.map(s) }],
            ['layer', s('platform')],
          ]),
        ],
      },
    ])
  }
  return emitYaml({ kind: 'map', entries: doc }).text
}

export function metalNetworkMeta(input: StaticNetworkInput): MetaValue {
  return { key: metalNetworkMetaKey, value: metalNetworkConfig(input) }
}
