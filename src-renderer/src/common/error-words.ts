// System error codes (ECONNREFUSED, ENOTFOUND, …) said in words wherever the UI shows an error: a
// code alone tells most people nothing. The code stays next to the words, for a search or a bug
// report.
const words: Record<string, string> = {
  ENOTFOUND: 'the name does not resolve',
  EAI_AGAIN: 'the name does not resolve (the DNS server did not answer)',
  ECONNREFUSED: 'the connection was refused: nothing is listening there',
  ECONNRESET: 'the connection was cut by the other side',
  ECONNABORTED: 'the connection was aborted',
  EPIPE: 'the connection was cut by the other side',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host cannot be reached',
  ENETUNREACH: 'the network cannot be reached',
  ENETDOWN: 'the network is down',
  EHOSTDOWN: 'the host is down',
}

const codes = Object.keys(words).join('|')
// "getaddrinfo ENOTFOUND factory.talos.dev", "connect ECONNREFUSED 127.0.0.1:9", "read ECONNRESET"
const syscall = new RegExp(`\\b(?:getaddrinfo|connect|read|write) (${codes})(?: ([\\w.:[\\]-]+))?`, 'g')
const bracketed = new RegExp(`\\((${codes})\\)`, 'g')
const bare = new RegExp(`\\b(${codes})\\b`, 'g')

export function inWords(text: string): string {
  const said = new Set<string>()
  return text
    .replace(syscall, (_match, code: string, where?: string) => {
      said.add(code)
      return `${words[code]}${where ? ` at ${where}` : ''} (${code})`
    })
    .replace(bracketed, (match, code: string) => (said.has(code) ? match : `(${code}: ${words[code]})`))
    .replace(bare, (match, code: string, offset: number, whole: string) =>
      whole[offset - 1] === '(' ? match : `${words[code]} (${code})`,
    )
}
