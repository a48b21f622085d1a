// Keeps secrets out of step logs: values registered by a run, and the usual shapes of credentials
// in command output (password=…, token: …, Authorization headers, PEM keys).
const patterns: RegExp[] = [
  /((?:password|passwd|token|secret|api[-_]?key)\s*[=:]\s*)("[^"]*"|'[^']*'|\S+)/gi,
  /(authorization:\s*(?:bearer|basic)\s+)\S+/gi,
  /(-----BEGIN [A-Z ]*PRIVATE KEY-----)[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----)/g,
]

export function redact(text: string, secrets: Iterable<string>): string {
  let result = text
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join('[redacted]')
  }
  result = result.replace(patterns[0]!, '$1[redacted]')
  result = result.replace(patterns[1]!, '$1[redacted]')
  result = result.replace(patterns[2]!, '$1[redacted]$2')
  return result
}
