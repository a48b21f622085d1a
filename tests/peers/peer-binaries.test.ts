// Every peer scripts/peers.sh builds reports the version pinned in scripts/peers.versions: the
// Kubernetes binaries only do when the version ldflags were applied (else v0.0.0-master, which
// helm and kwokctl misread), Talos embeds its tag from the published machinery module.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { findPeers, type PeerName } from '../support/peers.ts'

const run = promisify(execFile)
const pinned: Record<string, string> = Object.fromEntries(
  readFileSync(join(import.meta.dirname, '..', '..', 'scripts', 'peers.versions'), 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => line.split('=') as [string, string]),
)

const cases: { peer: PeerName; args: string[]; expected: RegExp }[] = [
  {
    peer: 'kube-apiserver',
    args: ['--version'],
    expected: new RegExp(`^Kubernetes ${pinned.KUBERNETES_VERSION}$`),
  },
  {
    peer: 'kube-controller-manager',
    args: ['--version'],
    expected: new RegExp(`^Kubernetes ${pinned.KUBERNETES_VERSION}$`),
  },
  {
    peer: 'kube-scheduler',
    args: ['--version'],
    expected: new RegExp(`^Kubernetes ${pinned.KUBERNETES_VERSION}$`),
  },
  {
    peer: 'etcd',
    args: ['--version'],
    // The fallback line is acceptable too: docs/test-peers.md, fallbacks.
    expected: new RegExp(
      `etcd Version: (${pinned.ETCD_VERSION?.slice(1)}|${pinned.ETCD_FALLBACK_VERSION?.slice(1)})$`,
      'm',
    ),
  },
  { peer: 'kwokctl', args: ['--version'], expected: new RegExp(`^kwokctl version ${pinned.KWOK_VERSION} `) },
  { peer: 'kwok', args: ['--version'], expected: new RegExp(`^kwok version ${pinned.KWOK_VERSION} `) },
  { peer: 'helm', args: ['version', '--short'], expected: new RegExp(`^${pinned.HELM_VERSION}\\b`) },
  {
    peer: 'talosctl',
    args: ['version', '--client'],
    expected: new RegExp(`Tag:\\s+${pinned.TALOS_VERSION}$`, 'm'),
  },
]

describe('peers built from Go modules', () => {
  for (const { peer, args, expected } of cases) {
    const found = findPeers([peer])
    const skip = found.ok ? undefined : found.reason
    it.skipIf(skip !== undefined)(
      `${peer} reports its pinned version${skip ? ` (skipped: ${skip})` : ''}`,
      async () => {
        if (!found.ok) return
        const { stdout } = await run(found.binaries[peer], args)
        expect(stdout.trim()).toMatch(expected)
      },
    )
  }
})
