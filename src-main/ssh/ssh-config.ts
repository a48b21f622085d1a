// The part of the user's ~/.ssh/config Clusterdeck honours: Host blocks with HostName, User, Port
// and IdentityFile. A small parser rather than a package: these five keywords and OpenSSH's
// "first value wins" rule are all we need (docs/ssh.md); Match and Include are skipped.
import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

export interface SshConfigBlock {
  patterns: string[]
  options: Array<{ key: string; value: string }>
}

export interface SshHostSettings {
  hostName?: string
  user?: string
  port?: number
  identityFiles: string[]
}

const keywords = new Set(['host', 'hostname', 'user', 'port', 'identityfile', 'match'])

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value
}

export function parseSshConfig(text: string): SshConfigBlock[] {
  // Options before the first Host apply to every host, as `Host *` would.
  const blocks: SshConfigBlock[] = [{ patterns: ['*'], options: [] }]
  let current: SshConfigBlock | null = blocks[0]!
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const match = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line)
    if (!match) continue
    const key = match[1]!.toLowerCase()
    const value = match[2]!.trim()
    if (!keywords.has(key)) continue
    if (key === 'match') {
      current = null // Match conditions are not evaluated: its options apply nowhere.
    } else if (key === 'host') {
      current = { patterns: value.split(/\s+/).map(unquote), options: [] }
      blocks.push(current)
    } else if (current) {
      current.options.push({ key, value: unquote(value) })
    }
  }
  return blocks
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${escaped}$`, 'i')
}

/** OpenSSH's rule: a block applies when a pattern matches and no negated (`!`) pattern does. */
function blockMatches(patterns: string[], host: string): boolean {
  let matched = false
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!')
    if (globToRegExp(negated ? pattern.slice(1) : pattern).test(host)) {
      if (negated) return false
      matched = true
    }
  }
  return matched
}

function expandPath(value: string, host: string, user: string | undefined, home: string): string {
  const tokens: Record<string, string> = { '%': '%', d: home, h: host, r: user ?? '' }
  const expanded = value.replace(/%([%dhr])/g, (_, token: string) => tokens[token]!)
  return expanded.startsWith('~/') ? join(home, expanded.slice(2)) : expanded
}

/** The settings for one host: the first value of each keyword wins; IdentityFiles add up. */
export function resolveSshHost(blocks: SshConfigBlock[], host: string, home = homedir()): SshHostSettings {
  const settings: SshHostSettings = { identityFiles: [] }
  const identityFiles: string[] = []
  for (const block of blocks) {
    if (!blockMatches(block.patterns, host)) continue
    for (const { key, value } of block.options) {
      if (key === 'hostname') settings.hostName ??= value
      else if (key === 'user') settings.user ??= value
      else if (key === 'port' && settings.port === undefined && /^\d+$/.test(value))
        settings.port = Number(value)
      else if (key === 'identityfile') identityFiles.push(value)
    }
  }
  const hostName = settings.hostName ? settings.hostName.replace(/%h/g, host) : undefined
  if (hostName !== undefined) settings.hostName = hostName
  settings.identityFiles = identityFiles.map((file) =>
    expandPath(file, hostName ?? host, settings.user, home),
  )
  return settings
}

/** The user's ~/.ssh/config, or nothing when there is none. */
export function loadSshConfig(path = join(homedir(), '.ssh', 'config')): SshConfigBlock[] {
  try {
    return parseSshConfig(readFileSync(path, 'utf8'))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
}
