// The end of every distribution's bootstrap (and of an upgrade): each node of the profile Ready in
// Kubernetes, read with the cluster's sealed kubeconfig, plus whatever the distribution checks on
// its nodes besides (Talos: its services). Asked again until the profile's timeouts.readySeconds;
// then the failure names each node and what it still lacks.
import { AppError } from '../../../src-shared/contract/app-error.ts'
import type { ProfileNode } from '../../../src-shared/profiles/profile-schema.ts'
import type { listNodeReadiness } from '../../kube/kube-nodes.ts'
import { pollUntil } from '../../talos/talos-step-support.ts'
import type { StepContext } from '../step-executor.ts'

export interface NodesReadyDependencies {
  /** The Kubernetes nodes and their Ready condition, read with the cluster's kubeconfig. */
  listNodeReadiness: typeof listNodeReadiness
  /** How long to wait for the whole cluster; by default the profile's `timeouts.readySeconds`. */
  readyTimeoutMs?: number
  pollMs?: number
}

/**
 * A distribution's own look at its nodes, once per poll: it adds problems of its own (an API that
 * did not answer) to `problems` and returns each node's problems, or null when it learnt nothing.
 */
export type NodeLook = (
  problems: string[],
) => Promise<((node: ProfileNode, index: number) => string[]) | null>

const shownProblems = 8

/** Waits until every node of `nodes` is Ready and `look` finds nothing wrong with it. */
export async function waitForNodesReady(
  context: StepContext,
  deps: NodesReadyDependencies,
  {
    kubeconfig,
    nodes,
    look,
    hint,
  }: {
    kubeconfig: string
    nodes: ProfileNode[]
    look?: NodeLook
    /** Where the distribution says why a node did not come up, added to the timeout's hint. */
    hint?: string
  },
): Promise<void> {
  const timeoutMs = deps.readyTimeoutMs ?? context.profile.timeouts.readySeconds * 1000
  let problems: string[] = []
  const ready = await pollUntil(context, deps.pollMs ?? 5000, timeoutMs, async () => {
    problems = []
    const readiness = await deps.listNodeReadiness(kubeconfig, context.signal).catch((error: unknown) => {
      problems.push(`the Kubernetes API: ${(error as Error).message}`)
      return null
    })
    const own = look ? await look(problems) : null
    nodes.forEach((node, index) => {
      if (readiness) {
        const found = readiness.find((candidate) => candidate.name === node.hostname)
        if (!found) problems.push(`${node.hostname} is not a Kubernetes node yet`)
        else if (!found.ready)
          problems.push(`${node.hostname} is not Ready (${found.reason || 'no reason given'})`)
      }
      if (own) problems.push(...own(node, index))
    })
    if (problems.length === 0) return true
    context.log(`Not ready yet: ${problems.slice(0, shownProblems).join('; ')}`)
    return null
  })
  if (!ready) {
    throw new AppError(
      'timeout',
      `The cluster was not ready within ${Math.round(timeoutMs / 1000)} s: ${problems.slice(0, shownProblems).join('; ')}${problems.length > shownProblems ? `; and ${problems.length - shownProblems} more` : ''}.`,
      `The step log lists what was missing at each look; retry the step to wait again.${hint ? ` ${hint}` : ''}`,
    )
  }
}
