// The version-skew rules an upgrade is checked against before anything starts: Talos and
// Kubernetes move forward one minor release at a time (Talos' upgrade notes; Kubernetes' skew
// policy for kube-apiserver), never back. Versions are compared as semantic versions.
import { compareTalosVersions, talosVersionProblem } from '../talos/factory-urls.ts'

function minorOf(version: string): [number, number] {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number)
  return [major!, minor!]
}

/**
 * Why moving from `current` to `target` is not allowed, or null when it is. `what` names the
 * software in the message ("Talos", "Kubernetes"). An unknown current version (no record) allows
 * any target: the nodes' own versions are checked again by each upgrade step.
 */
export function upgradeSkewProblem(what: string, current: string | undefined, target: string): string | null {
  if (what === 'K3s') return k3sSkewProblem(current, target)
  const malformed = talosVersionProblem(target)
  if (malformed) return `${malformed.replace('a Talos version', 'a version')}`
  if (!current || talosVersionProblem(current)) return null
  if (compareTalosVersions(target, current) < 0)
    return `${what} ${target} is older than the cluster’s ${current}: downgrades are not supported`
  const [fromMajor, fromMinor] = minorOf(current)
  const [toMajor, toMinor] = minorOf(target)
  if (toMajor !== fromMajor || toMinor > fromMinor + 1) {
    return `${what} moves one minor release at a time: from ${current} go to v${fromMajor}.${fromMinor + 1}.x first, then to ${target}`
  }
  return null
}

const k3sRelease = /^(v\d+\.\d+\.\d+)\+k3s(\d+)$/

/**
 * K3s releases carry Kubernetes' version plus a K3s build (v1.33.4+k3s1): the Kubernetes part
 * follows the same rules, and within one Kubernetes version the build never goes back.
 */
function k3sSkewProblem(current: string | undefined, target: string): string | null {
  const to = k3sRelease.exec(target)
  if (!to) return `"${target}" is not a K3s release such as v1.33.4+k3s1`
  const from = current ? k3sRelease.exec(current) : null
  if (!from) return null
  if (from[1] === to[1])
    return Number(to[2]) < Number(from[2])
      ? `K3s ${target} is older than the cluster’s ${current}: downgrades are not supported`
      : null
  return upgradeSkewProblem('Kubernetes', from[1], to[1]!)?.replace(/Kubernetes/g, 'K3s') ?? null
}
