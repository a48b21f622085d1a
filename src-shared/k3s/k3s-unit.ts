// Whether a started K3s unit came up (docs/k3s-bootstrap.md, "Join"): install.sh is run without
// starting K3s and the unit is started with --no-block (k3s-install.ts), so the join step asks
// systemd what became of it. The unit is Type=notify with Restart=always (K3s reference §1.1): it
// is `active` once K3s signalled ready; a K3s that exits (a wrong token, a rejected node password)
// is restarted every 5 s, so it shows as activating in `auto-restart` with NRestarts counting up,
// or as `failed` once systemd gives up; one that cannot reach its server stays activating.
import type { RemoteCommand } from './remote-command.ts'

export type K3sUnitName = 'k3s' | 'k3s-agent'

/** NRestarts counts since the last explicit start; this many automatic restarts is a failing K3s. */
export const restartsBeforeFailing = 3

/** Prints the unit's ActiveState, SubState and NRestarts as `Key=value` lines. */
export function unitStateCommand(unit: K3sUnitName): RemoteCommand {
  return { command: `systemctl show -p ActiveState -p SubState -p NRestarts ${unit}` }
}

/** The unit's last journal lines, for the reason it failed. */
export function journalTailCommand(unit: K3sUnitName, lines = 30): RemoteCommand {
  return { command: `journalctl -u ${unit} -n ${lines} --no-pager -o cat` }
}

export interface K3sUnitState {
  outcome: 'active' | 'starting' | 'failed'
  /** As systemd says it, e.g. `activating (auto-restart), restarted 2 times`. */
  state: string
}

/** What `unitStateCommand` printed, judged. */
export function judgeUnitState(stdout: string): K3sUnitState {
  const values = new Map(
    stdout
      .split('\n')
      .map((line) => /^(\w+)=(.*)$/.exec(line.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1]!, m[2]!]),
  )
  const active = values.get('ActiveState') ?? 'unknown'
  const sub = values.get('SubState') ?? ''
  const restarts = Number(values.get('NRestarts') ?? '0') || 0
  const state = `${active}${sub ? ` (${sub})` : ''}${restarts ? `, restarted ${restarts} times` : ''}`
  if (active === 'active') return { outcome: 'active', state }
  if (active === 'failed' || restarts >= restartsBeforeFailing) return { outcome: 'failed', state }
  return { outcome: 'starting', state }
}

/**
 * Why K3s did not come up, from its journal: the last lines K3s logged as fatal or as errors
 * (`level=fatal msg=…`, `failed to get CA certs`, `Node password rejected`), else its last lines.
 */
export function journalReason(journal: string, count = 3): string {
  const lines = journal
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('-- '))
  const telling = lines.filter((line) =>
    /level=(fatal|error)|failed to get CA certs|password rejected|Failed with result/i.test(line),
  )
  const k3sLines = telling.filter((line) => !/^\S+\.service: Failed with result/.test(line))
  const chosen = k3sLines.length ? k3sLines : telling.length ? telling : lines
  // K3s repeats a failure on every attempt: each line once, where it last appeared.
  return chosen
    .filter((line, i) => chosen.lastIndexOf(line) === i)
    .slice(-count)
    .join(' / ')
}
