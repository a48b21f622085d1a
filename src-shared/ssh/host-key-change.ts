// The sentence a changed SSH host key is refused with, written and read in one place: the SSH layer
// writes it into the error (and so into a failed step's message), the run view reads both
// fingerprints back from that message to offer "trust the new key" (docs/ssh.md).

export interface HostKeyChange {
  /** `host`, or `[host]:port` off port 22, as OpenSSH writes it. */
  label: string
  /** The fingerprint trusted until now. */
  expected: string
  /** The fingerprint the node presents now. */
  actual: string
}

const fingerprint = 'SHA256:[A-Za-z0-9+/]{43}'
const pattern = new RegExp(
  `(\\S+) answered SSH with a different host key than the one you trusted \\(trusted (${fingerprint}), now (${fingerprint})\\)`,
)

export function hostKeyChangedMessage({ label, expected, actual }: HostKeyChange): string {
  return `${label} answered SSH with a different host key than the one you trusted (trusted ${expected}, now ${actual}).`
}

/** The change named in a message (a failed step's, which may add words around it), or null. */
export function parseHostKeyChange(message: string): HostKeyChange | null {
  const match = pattern.exec(message)
  return match ? { label: match[1]!, expected: match[2]!, actual: match[3]! } : null
}
