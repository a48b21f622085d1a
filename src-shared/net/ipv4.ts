// IPv4 addresses, networks and ranges as the profile validation needs them. Home-lab node networks
// are IPv4; profiles that need IPv6 are out of scope for now and get a clear error.

/** 32-bit value of a dotted quad, or null when the text is not one. */
export function parseIpv4(text: string): number | null {
  const parts = text.trim().split('.')
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return null
  return parts.reduce((value, part) => value * 256 + Number(part), 0)
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.')
}

export interface Ipv4Network {
  base: number
  prefix: number
  /** Number of addresses, network and broadcast included. */
  size: number
}

/** "10.10.88.0/24" → the network; null when malformed or when host bits are set. */
export function parseIpv4Cidr(text: string): Ipv4Network | null {
  const match = /^([\d.]+)\/(\d{1,2})$/.exec(text.trim())
  if (!match) return null
  const address = parseIpv4(match[1]!)
  const prefix = Number(match[2])
  if (address === null || prefix > 32) return null
  const size = 2 ** (32 - prefix)
  if (address % size !== 0) return null
  return { base: address, prefix, size }
}

export function networkContains(network: Ipv4Network, address: number): boolean {
  return address >= network.base && address < network.base + network.size
}

/** A usable host address: inside the network, neither its network nor its broadcast address. */
export function isHostAddress(network: Ipv4Network, address: number): boolean {
  if (network.prefix >= 31) return networkContains(network, address)
  return address > network.base && address < network.base + network.size - 1
}

export function networksOverlap(a: Ipv4Network, b: Ipv4Network): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size
}

export interface Ipv4Range {
  first: number
  last: number
}

/** "10.10.88.80-10.10.88.89" (or a single address, or CIDR) → the inclusive range. */
export function parseIpv4Range(text: string): Ipv4Range | null {
  const trimmed = text.trim()
  if (trimmed.includes('/')) {
    const network = parseIpv4Cidr(trimmed)
    return network && { first: network.base, last: network.base + network.size - 1 }
  }
  const [from, to, extra] = trimmed.split('-')
  if (extra !== undefined) return null
  const first = parseIpv4(from ?? '')
  const last = to === undefined ? first : parseIpv4(to)
  if (first === null || last === null || last < first) return null
  return { first, last }
}

export function rangeContains(range: Ipv4Range, address: number): boolean {
  return address >= range.first && address <= range.last
}
