// Keeps secrets out of step logs: values registered by a run, and the usual shapes of credentials
// in command output (password=…, token: …, Authorization headers, PEM keys).
const patterns: RegExp[] = [
  /((?:password|passwd|token|secret|api[-_]?key)\s*[=:]\s*)("[^"]*"|'[^']*'|\S+)/gi,
  /(authorization:\s*(?:bearer|basic)\s+)\S+/gi,
  /(-----BEGIN [A-Z ]*PRIVATE KEY-----)[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----)/g,
]

/** Shorter registered values are not redacted: they would cut ordinary words apart. */
const minSecretLength = 4

/** Whether the text holds one of the registered values. */
export function holdsSecret(text: string, secrets: Iterable<string>): boolean {
  for (const secret of secrets) if (secret.length >= minSecretLength && text.includes(secret)) return true
  return false
}

export function redact(text: string, secrets: Iterable<string>): string {
  let result = text
  for (const secret of secrets) {
    if (secret.length >= minSecretLength) result = result.split(secret).join('[redacted]')
  }
  result = result.replace(patterns[0]!, '$1[redacted]')
  result = result.replace(patterns[1]!, '$1[redacted]')
  result = result.replace(patterns[2]!, '$1[redacted]$2')
  return result
}
