// "Install the K3s server" and "Join <node>" (docs/k3s-bootstrap.md): the pinned K3s release with
// the profile's options in config.yaml (src-shared/k3s/k3s-install.ts). The first server's join
// token is read from it once K3s has written it, sealed as `k3s-token` and redacted; agents and
// extra servers get it from the seal. A node whose K3s shows the pinned release, whose unit is
// enabled and whose config.yaml (and token file) are unchanged is skipped — so a run stopped while
// the agents join is resumed without installing the server again. In a restore the first server
// gets the cluster's original token and its datastore from the snapshot before it starts, and the
// other servers join it anew (k3s-restore.ts). A joining node's step ends only once its unit is
// active: a node that cannot reach the server or is refused fails the step with K3s's own reason
// from the journal (k3s-unit.ts), and a retry starts the unit again.
import { AppError } from '../../src-shared/contract/app-error.ts'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'
import {
  firstK3sServer,
  k3sNodeInstall,
  k3sRoleOf,
  k3sServerTokenPath,
  parseK3sToken,
  readServerTokenCommand,
  type K3sNodeInstall,
} from '../../src-shared/k3s/k3s-install.ts'
import {
  journalReason,
  journalTailCommand,
  judgeUnitState,
  unitStateCommand,
  type K3sUnitState,
} from '../../src-shared/k3s/k3s-unit.ts'
import type { ProfileNode } from '../../src-shared/profiles/profile-schema.ts'
import type { StepContext, StepExecutor } from '../lifecycle/step-executor.ts'
import type { NodeShell } from '../ssh/node-shell.ts'
import { nodeOf, openIfSealed, openSealed, pollUntil } from '../talos/talos-step-support.ts'
import {
  dropOldDatastore,
  k3sRestoreOf,
  markRestored,
  restoredOn,
  restoreFirstServer,
  type K3sRestore,
} from './k3s-restore.ts'
import {
  allInPlace,
  convergeAll,
  runOrFail,
  sshEndpointOf,
  withNodeShell,
  type K3sStepDependencies,
} from './k3s-step-support.ts'

type InstallKind = 'k3s.install-server' | 'k3s.install-agent'

export function k3sInstallStep<K extends InstallKind>(deps: K3sStepDependencies): StepExecutor<K> {
  return {
    async alreadyDone(context) {
      const node = nodeOf(context, context.step.node!)
      const first = k3sRoleOf(context.profile, node) === 'first-server'
      // A restore whose snapshot or token is not usable runs, to fail saying why.
      const restore = await k3sRestoreOf(context, node).catch(() => undefined)
      if (restore === undefined) return null
      const install = await installOf(deps, context, node, restore)
      return withNodeShell(deps, context, node, async (shell) => {
        if (!(await allInPlace(shell, install.actions))) return null
        if (restore && !(await restoredOn(shell, restore.snapshot))) return null
        // A join is done once its K3s runs: a failed one is retried by the step.
        if (!first && (await unitState(shell, install)).outcome !== 'active') return null
        // The first server is done once the agents can join it: its token is the sealed one.
        if (first) {
          const sealed = await openIfSealed(context.sealed, sealedNames.k3sToken)
          const token = await readToken(shell, context)
          if (sealed === null || token === null || parseK3sToken(sealed) !== token) return null
        }
        return {
          message: `${node.hostname} runs ${describe(install, context)}${restored(install, restore)}`,
          output: outputOf(install, restore),
        }
      })
    },

    async run(context) {
      const node = nodeOf(context, context.step.node!)
      // Read and checked before anything on the node changes.
      const restore = await k3sRestoreOf(context, node)
      const install = await installOf(deps, context, node, restore)
      return withNodeShell(deps, context, node, async (shell) => {
        const again = restore !== null && (await restoredOn(shell, restore.snapshot))
        if (restore && !again && install.role !== 'first-server') await dropOldDatastore(shell, node)
        const changed = await convergeAll(shell, install.actions)
        if (restore && !again && install.role === 'first-server')
          await restoreFirstServer(shell, node, restore.snapshot, context.log)
        else if (restore)
          await runOrFail(shell, node, { command: 'systemctl start --no-block k3s' }, 'Starting K3s')
        if (install.role === 'first-server')
          await sealServerToken(deps, shell, context, node, restore !== null)
        else {
          const apply = install.actions.find((action) => action.id === 'k3s-install')
          const started = restore !== null || changed.includes(apply?.title ?? '')
          await waitForJoin(deps, shell, context, node, install, started)
        }
        if (restore && !again) await markRestored(shell, node, restore.snapshot)
        return {
          message: `${changed.length || restore ? 'Installed' : 'Already in place:'} ${describe(install, context)} on ${node.hostname}${restored(install, restore)}`,
          output: outputOf(install, restore),
        }
      })
    },
  }
}

function restored(install: K3sNodeInstall, restore: K3sRestore | null): string {
  if (!restore) return ''
  return install.role === 'first-server'
    ? `, its ${restore.snapshot.kind === 'etcd' ? 'etcd' : 'SQLite datastore'} restored from ${restore.snapshot.name}`
    : ', joined anew to the cluster restored from ' + restore.snapshot.name
}

async function installOf(
  deps: K3sStepDependencies,
  context: StepContext,
  node: ProfileNode,
  restore: K3sRestore | null,
): Promise<K3sNodeInstall> {
  if (k3sRoleOf(context.profile, node) === 'first-server')
    return restore?.token
      ? k3sNodeInstall(context.profile, node.hostname, { token: restore.token }, { start: false })
      : k3sNodeInstall(context.profile, node.hostname)
  const token = await openSealed(context, sealedNames.k3sToken, 'Install the K3s server')
  // Where the first server answered this run (or an earlier one): on a real board its profile
  // address, on the virtual board its loopback address, the only one its K3s listens on.
  const serverAddress = sshEndpointOf(deps, context, firstK3sServer(context.profile)).host
  return k3sNodeInstall(context.profile, node.hostname, { token, serverAddress })
}

function describe(install: K3sNodeInstall, context: StepContext): string {
  const role = { 'first-server': 'the first server', server: 'a server', agent: 'an agent' }[install.role]
  return `K3s ${context.profile.versions.k3s} as ${role} (${install.unit})`
}

function outputOf(install: K3sNodeInstall, restore: K3sRestore | null): Record<string, unknown> {
  return {
    role: install.role,
    unit: install.unit,
    ...(restore ? { restoredFrom: { file: restore.snapshot.path, sha256: restore.snapshot.sha256 } } : {}),
  }
}

async function unitState(shell: NodeShell, install: K3sNodeInstall): Promise<K3sUnitState> {
  const result = await shell.run(unitStateCommand(install.unit))
  return judgeUnitState(result.exitCode === 0 ? result.stdout : '')
}

/**
 * Waits (bootSeconds) until the joining node's K3s is active: install.sh and `systemctl start
 * --no-block` succeed whatever K3s does. A unit the install did not start and that is stopped or
 * failed (nothing changed on a retry; a token change only restarts a running unit) is started
 * first. A unit that fails or keeps restarting, or is not up in time, fails the step with the
 * end of its journal.
 */
async function waitForJoin(
  deps: K3sStepDependencies,
  shell: NodeShell,
  context: StepContext,
  node: ProfileNode,
  install: K3sNodeInstall,
  /** The install (or a restore) just started the unit. */
  started: boolean,
): Promise<void> {
  const { unit } = install
  const before = await unitState(shell, install)
  if (!started && (before.outcome === 'failed' || before.state.startsWith('inactive')))
    await runOrFail(shell, node, { command: `systemctl restart --no-block ${unit}` }, `Starting ${unit}`)
  const timeoutMs = context.profile.timeouts.bootSeconds * 1000
  let last: K3sUnitState = before
  const settled = await pollUntil(context, deps.pollMs ?? 3000, timeoutMs, async () => {
    last = await unitState(shell, install)
    return last.outcome === 'starting' ? null : last
  })
  if (settled?.outcome === 'active') {
    context.log(`${unit} is active on ${node.hostname}`)
    return
  }
  const journal = await shell.run(journalTailCommand(unit))
  const reason = journal.exitCode === 0 ? journalReason(journal.stdout) : ''
  const why = reason ? `; its journal says: ${reason}` : ''
  const hint = `Fix the cause (is the first server running and reachable, is the sealed token its token?), look at \`journalctl -u ${unit}\` on the node (clusterdeck node exec ${context.profile.name} ${node.hostname} -- journalctl -u ${unit}), then retry the step.`
  if (settled === null)
    throw new AppError(
      'timeout',
      `K3s (${unit}) on ${node.hostname} did not come up within ${timeoutMs / 1000} s (${last.state})${why}.`,
      hint,
    )
  throw new AppError(
    'tool_failed',
    `K3s (${unit}) on ${node.hostname} could not join the cluster: the unit is ${settled.state}${why}.`,
    hint,
  )
}

/** The server's token, or null while K3s has not written it yet. */
async function readToken(shell: NodeShell, context: StepContext): Promise<string | null> {
  const result = await shell.run(readServerTokenCommand)
  if (result.exitCode !== 0) return null
  const token = parseK3sToken(result.stdout)
  context.secret(token)
  return token
}

/**
 * Waits for the started server to write its token, then seals it for the nodes that join. A
 * restored server must run with the sealed original token: another one is an error, never sealed.
 */
async function sealServerToken(
  deps: K3sStepDependencies,
  shell: NodeShell,
  context: StepContext,
  node: ProfileNode,
  restoring: boolean,
): Promise<void> {
  const timeoutMs = context.profile.timeouts.bootSeconds * 1000
  const token = await pollUntil(context, deps.pollMs ?? 3000, timeoutMs, () => readToken(shell, context))
  if (token === null)
    throw new AppError(
      'timeout',
      `K3s on ${node.hostname} did not write its join token (${k3sServerTokenPath}) within ${timeoutMs / 1000} s.`,
      'K3s may not start: look at `systemctl status k3s` and `journalctl -u k3s` on the node (clusterdeck node exec), then retry the step.',
    )
  if ((await openIfSealed(context.sealed, sealedNames.k3sToken)) !== token) {
    if (restoring)
      throw new AppError(
        'conflict',
        `K3s on ${node.hostname} came up with another token than the cluster's original one after the restore.`,
        'The snapshot may belong to another cluster: check its origin (clusterdeck cluster backups), then restore again.',
      )
    await context.sealed.seal(sealedNames.k3sToken, token)
    context.log('Sealed the server’s join token')
  }
}
