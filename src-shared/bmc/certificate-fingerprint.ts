// SHA-256 certificate fingerprints in the form Node and browsers show: 32 upper-case hex bytes
// joined by colons. Users may paste them with or without colons, in any case.
export function normalizeFingerprint(text: string): string | null {
  const hex = text
    .trim()
    .replace(/^sha256[:=]?/i, '')
    .replace(/[:\s]/g, '')
    .toUpperCase()
  if (!/^[0-9A-F]{64}$/.test(hex)) return null
  return hex.match(/../g)!.join(':')
}
