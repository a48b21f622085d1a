// Finds the real peers scripts/peers.sh built from Go modules (docs/test-peers.md). The script
// writes current.env (name=path lines) into its cache; tests that need a peer it could not build
// report themselves skipped with the reason instead of failing on a machine without Go.
import { accessSync, constants, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

export type PeerName =
  | 'kwok'
  | 'kwokctl'
  | 'etcd'
  | 'etcdutl'
  | 'kube-apiserver'
  | 'kube-controller-manager'
  | 'kube-scheduler'
  | 'kubectl'
  | 'helm'
  | 'talosctl'

export type Peers =
  { ok: true; binaries: Record<PeerName, string>; kubernetesVersion: string } | { ok: false; reason: string }

/** scripts/test.sh passes the cache along because the tests run with a throw-away HOME. */
export function peersCacheDir(): string {
  return process.env.CLUSTERDECK_PEERS_CACHE ?? join(homedir(), '.cache', 'clusterdeck-peers')
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

export function findPeers(names: readonly PeerName[], cacheDir = peersCacheDir()): Peers {
  let text: string
  try {
    text = readFileSync(join(cacheDir, 'current.env'), 'utf8')
  } catch {
    return { ok: false, reason: `no peers built in ${cacheDir}: run bash scripts/peers.sh (needs Go)` }
  }
  const entries = new Map(
    text
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
  )
  const missing = names.filter((name) => !executable(entries.get(name) ?? ''))
  if (missing.length > 0) {
    return { ok: false, reason: `peers not built: ${missing.join(', ')} (run bash scripts/peers.sh)` }
  }
  const binaries = Object.fromEntries(names.map((name) => [name, entries.get(name)])) as Record<
    PeerName,
    string
  >
  return { ok: true, binaries, kubernetesVersion: entries.get('kubernetes_version') ?? '' }
}
