// Where a Talos node's API answers. In maintenance mode a node prints the addresses it is reachable
// at on its serial console ("[talos] this machine is reachable at:", then one "[talos] \t<addr>"
// line each, possibly followed by the logger's JSON fields); a real node answers there on its DHCP
// address, and on the profile's address once configured. A virtual board's nodes live on their
// own loopback addresses (127.0.0.N) before and after configuration (docs/talos-bootstrap.md).

/** A board reached on loopback is the virtual board: its nodes' profile addresses are fiction. */
export function boardOnLoopback(boardAddress: string): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(boardAddress).hostname)
}

const reachableHeading = /\[talos\] this machine is reachable at:/
const reachableLine = /\[talos\]\s*\t\s*([0-9A-Fa-f:.]+)/

/** The addresses of the last "reachable at" block on the console, in the order printed. */
export function consoleApiAddresses(console: string): string[] {
  const lines = console.split(/\r?\n/)
  let heading = -1
  for (let i = lines.length - 1; i >= 0 && heading < 0; i--) if (reachableHeading.test(lines[i]!)) heading = i
  if (heading < 0) return []
  const addresses: string[] = []
  for (const line of lines.slice(heading + 1)) {
    const match = reachableLine.exec(line)
    if (!match) break
    addresses.push(match[1]!)
  }
  return addresses
}

/** Where the node answers once configured: the same loopback address on the virtual board. */
export function configuredApiAddress(node: {
  onLoopback: boolean
  maintenanceAddress: string | undefined
  profileAddress: string
}): string {
  return node.onLoopback && node.maintenanceAddress ? node.maintenanceAddress : node.profileAddress
}
