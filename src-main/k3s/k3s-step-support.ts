// What the K3s bootstrap steps share (docs/k3s-bootstrap.md): where each node answers SSH, the
// cluster's SSH key, a shell on a node opened with that key, and running the pure core's commands
// (src-shared/k3s) through it — a command that fails names the node and its error output.
import { AppError } from '../../src-shared/contract/app-error.ts'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'
import type { NodeAction, RemoteCommand } from '../../src-shared/k3s/remote-command.ts'
import { stepIds } from '../../src-shared/lifecycle/step-ids.ts'
import {
  nodeAccessOf,
  type ClusterProfile,
  type ProfileNode,
} from '../../src-shared/profiles/profile-schema.ts'
import type { StepContext } from '../lifecycle/step-executor.ts'
import type { ClusterKey } from '../ssh/cluster-key.ts'
import type { NodeEndpoint, NodeShell, NodeShellOptions, NodeShells } from '../ssh/node-shell.ts'
import type { ExecResult } from '../ssh/ssh-exec.ts'
import { openSealed } from '../talos/talos-step-support.ts'

/** Where a node answers SSH, as the cluster record keeps it. */
export interface SshEndpoint {
  sshAddress: string
  sshPort: number
}

export interface K3sStepDependencies {
  /** Opens shells on the nodes (src-main/ssh/node-shell.ts); without it the K3s steps cannot run. */
  nodeShells?: NodeShells | undefined
  boards: { get(ref: string): Promise<{ address: string }> }
  /** The cluster record's SSH endpoints: read when a run has no boot output, written once reached. */
  sshEndpoints: {
    find(profileName: string, hostname: string): SshEndpoint | null
    record(profile: ClusterProfile, node: ProfileNode, endpoint: SshEndpoint): void
  }
  /** The root password the user saved in the keychain for the profile (`nodes.setPassword`), if any. */
  nodePassword?(profileName: string): Promise<string | null>
  /** Makes the cluster's SSH key (src-main/ssh/cluster-key.ts). */
  generateKey(comment: string): ClusterKey
  /** How often a wait asks again; tests make it short. */
  pollMs?: number
}

/** The NodeShells, or a failure saying the SSH service is missing. */
export function nodeShellsOf(deps: K3sStepDependencies, context: StepContext): NodeShells {
  if (!deps.nodeShells)
    throw new AppError(
      'not_implemented',
      `"${context.step.title}" runs over SSH, and this Clusterdeck core was started without its SSH service.`,
      'Use a build of Clusterdeck whose core has the SSH service (src-main/ssh/node-shell.ts).',
    )
  return deps.nodeShells
}

/**
 * Where the node answers SSH: what its boot wait found in this run, else what the cluster record
 * says a step reached before, else the profile's address on port 22.
 */
export function sshEndpointOf(
  deps: K3sStepDependencies,
  context: StepContext,
  node: ProfileNode,
): NodeEndpoint {
  const booted = context.outputOf(stepIds.boot(node.hostname))
  if (typeof booted?.sshAddress === 'string' && typeof booted.sshPort === 'number')
    return { hostname: node.hostname, host: booted.sshAddress, port: booted.sshPort }
  const recorded = deps.sshEndpoints.find(context.profile.name, node.hostname)
  if (recorded) return { hostname: node.hostname, host: recorded.sshAddress, port: recorded.sshPort }
  return { hostname: node.hostname, host: node.address, port: 22 }
}

export function clusterKeyComment(profile: ClusterProfile): string {
  return `clusterdeck-${profile.name}`
}

/** The cluster's private key, made by the first "Prepare" step. */
export function sealedClusterKey(context: StepContext): Promise<string> {
  return openSealed(context, sealedNames.sshKey, 'Prepare')
}

export interface ShellRequest {
  node: ProfileNode
  clusterKey: string
  /** The first login to a fresh node (as root). */
  password?: string
  user?: string
}

/** Opens a shell on the node with the cluster's key (or a first-login password), as the profile's user. */
export async function openNodeShell(
  deps: K3sStepDependencies,
  context: StepContext,
  { node, clusterKey, password, user }: ShellRequest,
): Promise<NodeShell> {
  const options: NodeShellOptions = {
    endpoint: sshEndpointOf(deps, context, node),
    profileName: context.profile.name,
    clusterKey,
    user: user ?? nodeAccessOf(context.profile).user,
    log: context.log,
    secrets: password === undefined ? [] : [password],
    signal: context.signal,
    ...(password === undefined ? {} : { password }),
  }
  return nodeShellsOf(deps, context).open(options)
}

/** Runs `use` on a shell opened with the cluster's key, and closes the shell whatever happens. */
export async function withNodeShell<T>(
  deps: K3sStepDependencies,
  context: StepContext,
  node: ProfileNode,
  use: (shell: NodeShell) => Promise<T>,
): Promise<T> {
  const shell = await openNodeShell(deps, context, { node, clusterKey: await sealedClusterKey(context) })
  try {
    return await use(shell)
  } finally {
    shell.close()
  }
}

/** Runs a command that must succeed; a failure names the node, what was being done and stderr's end. */
export async function runOrFail(
  shell: NodeShell,
  node: ProfileNode,
  command: RemoteCommand,
  what: string,
): Promise<ExecResult> {
  const result = await shell.run(command)
  if (result.exitCode !== 0) {
    const tail = result.stderr.trim().split('\n').slice(-3).join(' / ')
    throw new AppError(
      'tool_failed',
      `${what} on ${node.hostname} failed (exit ${result.exitCode})${tail ? `: ${tail}` : ''}.`,
      'The step log shows each command; fix the cause on the node (clusterdeck node exec) and retry the step.',
    )
  }
  return result
}

/** Converges each action in order; returns the titles of those that changed something. */
export async function convergeAll(shell: NodeShell, actions: NodeAction[]): Promise<string[]> {
  const changed: string[] = []
  for (const action of actions) if ((await shell.converge(action)) === 'done') changed.push(action.title)
  return changed
}

/** Whether every action's check passes: nothing would change. Changes nothing itself. */
export async function allInPlace(shell: NodeShell, actions: NodeAction[]): Promise<boolean> {
  for (const action of actions) if ((await shell.run(action.check)).exitCode !== 0) return false
  return true
}
