// Reads the SHA-256 a vendor publishes next to an image: GNU `sha256sum` lines ("HEX  name",
// "HEX *name"), a bare hash, or BSD style ("SHA256 (name) = HEX"). With several lines, the one
// naming the file wins.
export function parseChecksumFile(text: string, fileName: string): string | null {
  const entries: Array<{ hash: string; name: string | null }> = []
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const bsd = /^SHA256 ?\((.+)\) ?= ?([0-9a-fA-F]{64})$/.exec(line)
    if (bsd) {
      entries.push({ hash: bsd[2]!.toLowerCase(), name: bsd[1]! })
      continue
    }
    const gnu = /^([0-9a-fA-F]{64})(?:\s+\*?(.+))?$/.exec(line)
    if (gnu) entries.push({ hash: gnu[1]!.toLowerCase(), name: gnu[2]?.trim() ?? null })
  }
  const base = (name: string) => name.split('/').pop()
  const named = entries.find((entry) => entry.name !== null && base(entry.name) === fileName)
  if (named) return named.hash
  const hashes = new Set(entries.map((entry) => entry.hash))
  return hashes.size === 1 ? [...hashes][0]! : null
}
