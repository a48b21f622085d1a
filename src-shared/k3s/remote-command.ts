// Commands the K3s steps run on a node, as data: the SSH layer (src-main/ssh) runs them as root
// (through sudo for a non-root login) and logs each one with its exit status. Anything secret
// travels on stdin, never in the command text, because a command line is visible to every user of
// the node in `ps` and /proc/<pid>/cmdline while it runs (docs/k3s-bootstrap.md).

export interface RemoteCommand {
  /** A POSIX sh command line; every value in it went through `shellQuote`. */
  command: string
  /** Fed to the command's stdin, then closed. */
  stdin?: string
  /** The stdin is a secret: the SSH layer must never log or echo it. */
  secretStdin?: boolean
  /** What the command prints is a secret (a token, a kubeconfig): returned, never logged. */
  secretStdout?: boolean
}

/** One idempotent change: `check` exits 0 when the change is already there, so `apply` is skipped. */
export interface NodeAction {
  id: string
  title: string
  check: RemoteCommand
  apply: RemoteCommand[]
}

/**
 * A value as one POSIX sh word: single-quoted, each `'` written as `'\''`. Inside single quotes
 * nothing is special — not `$`, backticks, `\`, `!` or newlines — so any text survives exactly;
 * only NUL cannot be passed in an argument at all.
 */
export function shellQuote(value: string): string {
  if (value.includes('\0')) throw new Error('a shell word cannot contain a NUL character')
  if (/^[\w@%+=:,./-]+$/.test(value)) return value
  return `'${value.replaceAll("'", `'\\''`)}'`
}

/**
 * Writes stdin to `path` with `mode`, atomically (a temporary file beside it, then a rename), so a
 * dropped connection never leaves a half-written file. The directory is created when missing.
 */
export function writeFileCommand(
  path: string,
  content: string,
  { mode, secret = false }: { mode: number; secret?: boolean },
): RemoteCommand {
  const dir = path.slice(0, path.lastIndexOf('/')) || '/'
  const temporary = `${path}.clusterdeck-new`
  const octal = mode.toString(8).padStart(4, '0')
  return {
    command: [
      `mkdir -p ${shellQuote(dir)}`,
      // Private from the first byte (a secret is never readable by others, even briefly); the
      // umask stays inside the subshell, so a directory made above keeps the usual mode.
      `(umask 077; cat > ${shellQuote(temporary)})`,
      `chmod ${octal} ${shellQuote(temporary)}`,
      `mv -f ${shellQuote(temporary)} ${shellQuote(path)}`,
    ].join(' && '),
    stdin: content,
    ...(secret ? { secretStdin: true } : {}),
  }
}

/** Exits 0 when the file at `path` holds exactly `content` (compared on the node, content on stdin). */
export function sameFileCheck(path: string, content: string, secret = false): RemoteCommand {
  return {
    command: `cmp -s ${shellQuote(path)} -`,
    stdin: content,
    ...(secret ? { secretStdin: true } : {}),
  }
}
