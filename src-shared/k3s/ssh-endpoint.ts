// Where a virtual Armbian node answers SSH (docs/virtual-board.md): each prints exactly one line
// on its serial console, after its kernel log, naming its loopback address and port — its own
// 127.0.0.N, port 2222 because port 22 needs root. The virtual node writes the line with
// `virtualSshLine`; the boot wait reads it back with `parseVirtualSshLine`.

const linePattern = /^clusterdeck virtual node: SSH at (\d{1,3}(?:\.\d{1,3}){3}) port (\d{1,5})\s*$/m

export function virtualSshLine(address: string, port: number): string {
  return `clusterdeck virtual node: SSH at ${address} port ${port}`
}

/** The address and port of the last such line on the console, or null when there is none yet. */
export function parseVirtualSshLine(console: string): { host: string; port: number } | null {
  const lines = console.split('\n')
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const match = linePattern.exec(lines[i]!.replace(/\r$/, ''))
    const port = Number(match?.[2])
    if (match && port >= 1 && port <= 65535) return { host: match[1]!, port }
  }
  return null
}
