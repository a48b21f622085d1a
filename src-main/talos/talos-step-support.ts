// What the Talos bootstrap steps share: the talosctl the tools manager picks for the profile's
// Talos version (a clear failure naming what to install when there is none that fits), where each
// node's API answers, sealed files that may not exist yet, and the wait-and-ask-again loop.
import { createHash } from 'node:crypto'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { stepIds } from '../../src-shared/lifecycle/step-ids.ts'
import type { ClusterProfile, ProfileNode } from '../../src-shared/profiles/profile-schema.ts'
import type { BoardService } from '../boards/board-service.ts'
import type { StepContext, StepSecrets } from '../lifecycle/step-executor.ts'
import type { ToolsService } from '../tools/tools-service.ts'
import { boardOnLoopback, configuredApiAddress } from './talos-addresses.ts'
import {
  registerYamlSecrets,
  talosctlRunner,
  type Talosctl,
  type TalosctlContext,
} from './talosctl-runner.ts'

export interface TalosStepDependencies {
  tools: Pick<ToolsService, 'resolve'>
  boards: Pick<BoardService, 'get'>
  /** What the cluster record says each node was given: the sha256 of its config, and where it answers. */
  appliedConfigs: {
    sha256Of(profileName: string, hostname: string): string | null
    record(
      profile: ClusterProfile,
      node: ProfileNode,
      applied: { apiAddress: string; configSha256: string },
    ): void
  }
  /** Where the image library got an image from (its download URL), by the image's sha256. */
  imageSourceUrl(sha256: string): string | null
  /** Runs talosctl (tests pass a fake). */
  runner?: (context: TalosctlContext) => Talosctl
  /** How often a wait asks again; tests make it short. */
  pollMs?: number
}

/** The talosctl for the profile's Talos version, or a failure saying what to install. */
export async function resolveTalosctl(
  deps: TalosStepDependencies,
  context: StepContext,
  /** Another Talos version than the profile's: an upgrade's target (a newer talosctl drives older nodes). */
  forVersion?: string,
): Promise<TalosctlContext> {
  const version = forVersion ?? context.profile.versions.talos
  if (!version) {
    throw new AppError('invalid_input', `The profile "${context.profile.name}" names no Talos version.`)
  }
  let path: string
  try {
    path = (await deps.tools.resolve('talosctl', version)).path
  } catch (error) {
    if (!(error instanceof AppError)) throw error
    throw new AppError(
      error.code,
      `"${context.step.title}" needs talosctl for Talos ${version}: ${error.message}.`,
      error.hint,
    )
  }
  return { talosctl: path, signal: context.signal, log: context.log }
}

export async function talosctlFor(
  deps: TalosStepDependencies,
  context: StepContext,
  forVersion?: string,
): Promise<Talosctl> {
  return (deps.runner ?? talosctlRunner)(await resolveTalosctl(deps, context, forVersion))
}

/** The profile's nodes, control planes first: the order of the talosconfig's nodes. */
export function controlPlanesFirst(nodes: readonly ProfileNode[]): ProfileNode[] {
  return [
    ...nodes.filter((node) => node.role === 'control-plane'),
    ...nodes.filter((node) => node.role === 'worker'),
  ]
}

export function nodeOf(context: StepContext, hostname: string): ProfileNode {
  const node = context.profile.nodes.find((candidate) => candidate.hostname === hostname)
  if (!node)
    throw new AppError('internal', `The profile has no node "${hostname}" for "${context.step.title}".`)
  return node
}

export interface NodeAddresses {
  /** Where the node answered in maintenance mode (the boot wait's finding), or the profile's address. */
  maintenance: string
  /** Where it answers once configured. */
  configured: string
}

export async function addressesOf(
  deps: TalosStepDependencies,
  context: StepContext,
  node: ProfileNode,
): Promise<NodeAddresses> {
  const booted = context.outputOf(stepIds.boot(node.hostname))?.apiAddress
  const maintenance = typeof booted === 'string' ? booted : node.address
  const applied = context.outputOf(stepIds.talosApply(node.hostname))?.apiAddress
  if (typeof applied === 'string') return { maintenance, configured: applied }
  const board = await deps.boards.get(node.board)
  const configured = configuredApiAddress({
    onLoopback: boardOnLoopback(board.address),
    maintenanceAddress: typeof booted === 'string' ? booted : undefined,
    profileAddress: node.address,
  })
  return { maintenance, configured }
}

/** The sealed file's text, or null when the cluster has none of that name yet. */
export async function openIfSealed(sealed: StepSecrets, name: string): Promise<string | null> {
  try {
    return await sealed.open(name)
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') return null
    throw error
  }
}

/**
 * A sealed file an earlier step (`madeBy`) made, its keys, certificates and tokens registered as
 * secrets of the run so that no log line shows them.
 */
export async function openSealed(context: StepContext, name: string, madeBy: string): Promise<string> {
  const value = await openIfSealed(context.sealed, name)
  if (value === null) {
    throw new AppError(
      'not_found',
      `The cluster has no sealed ${name} yet.`,
      `It is made by the "${madeBy}" step: run the deploy again from the start of its Cluster bootstrap phase.`,
    )
  }
  registerYamlSecrets(value, context.secret)
  return value
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/**
 * Asks `attempt` every pollMs until it returns something other than null, and returns that — or
 * null once timeoutMs have passed. A cancelled run ends the wait with a `cancelled` error.
 */
export async function pollUntil<T>(
  context: StepContext,
  pollMs: number,
  timeoutMs: number,
  attempt: () => Promise<T | null>,
): Promise<T | null> {
  const started = Date.now()
  for (;;) {
    if (context.signal.aborted) throw new AppError('cancelled', `"${context.step.title}" was cancelled.`)
    const result = await attempt()
    if (result !== null) return result
    if (Date.now() - started >= timeoutMs) return null
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pollMs)
      context.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
    })
  }
}
