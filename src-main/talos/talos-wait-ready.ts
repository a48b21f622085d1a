// The end of a Talos bootstrap (and of an upgrade): every node of the profile Ready in Kubernetes,
// and on every node the Talos services that carry the cluster running and healthy — apid and
// kubelet everywhere, etcd on the control planes. Asked again until the timeout; then the failure
// names each node and what it still lacks.
import { parse } from 'yaml'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { listNodeReadiness } from '../kube/kube-nodes.ts'
import type { StepExecutor } from '../lifecycle/step-executor.ts'
import { listServices, type ServiceState } from './talos-node.ts'
import {
  controlPlanesFirst,
  openSealed,
  pollUntil,
  talosctlFor,
  type TalosStepDependencies,
} from './talos-step-support.ts'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'

export interface TalosWaitReadyDependencies extends TalosStepDependencies {
  /** The Kubernetes nodes and their Ready condition, read with the cluster's kubeconfig. */
  listNodeReadiness: typeof listNodeReadiness
  /** How long to wait for the whole cluster; by default the profile's `timeouts.readySeconds`. */
  readyTimeoutMs?: number
}

const shownProblems = 8

export function talosWaitReadyStep(deps: TalosWaitReadyDependencies): StepExecutor<'cluster.wait-ready'> {
  const pollMs = deps.pollMs ?? 5000
  return {
    async run(context) {
      const { profile } = context
      const timeoutMs = deps.readyTimeoutMs ?? profile.timeouts.readySeconds * 1000
      if (profile.distribution !== 'talos') {
        throw new AppError(
          'not_implemented',
          `This version of Clusterdeck waits for ${profile.distribution} clusters only as far as their bootstrap goes.`,
        )
      }
      const kubeconfig = await openSealed(
        context,
        sealedNames.kubeconfig,
        'Export kubeconfig and talosconfig',
      )
      const talosconfig = await openSealed(
        context,
        sealedNames.talosconfig,
        'Export kubeconfig and talosconfig',
      )
      const { endpoints, nodes } = talosTargets(talosconfig)
      const talosctl = await talosctlFor(deps, context)

      let problems: string[] = []
      const ready = await pollUntil(context, pollMs, timeoutMs, async () => {
        problems = []
        const readiness = await deps.listNodeReadiness(kubeconfig, context.signal).catch((error: unknown) => {
          problems.push(`the Kubernetes API: ${(error as Error).message}`)
          return null
        })
        const services = await listServices(talosctl, endpoints[0]!, nodes, talosconfig).catch(
          (error: unknown) => {
            if (!(error instanceof AppError) || error.code === 'cancelled') throw error
            problems.push(`the Talos API: ${error.message}`)
            return null
          },
        )
        controlPlanesFirst(profile.nodes).forEach((node, index) => {
          if (readiness) {
            const found = readiness.find((candidate) => candidate.name === node.hostname)
            if (!found) problems.push(`${node.hostname} is not a Kubernetes node yet`)
            else if (!found.ready)
              problems.push(`${node.hostname} is not Ready (${found.reason || 'no reason given'})`)
          }
          if (services) problems.push(...serviceProblems(node, nodes[index], services))
        })
        if (problems.length === 0) return true
        context.log(`Not ready yet: ${problems.slice(0, shownProblems).join('; ')}`)
        return null
      })
      if (!ready) {
        throw new AppError(
          'timeout',
          `The cluster was not ready within ${Math.round(timeoutMs / 1000)} s: ${problems.slice(0, shownProblems).join('; ')}${problems.length > shownProblems ? `; and ${problems.length - shownProblems} more` : ''}.`,
          'The step log lists what was missing at each look; retry the step to wait again.',
        )
      }
      return {
        message: `All ${profile.nodes.length} nodes are Ready in Kubernetes, with apid, kubelet and (on control planes) etcd running healthy`,
      }
    },
  }
}

function serviceProblems(
  node: { hostname: string; role: 'control-plane' | 'worker' },
  address: string | undefined,
  services: ServiceState[],
): string[] {
  const expected = ['apid', 'kubelet', ...(node.role === 'control-plane' ? ['etcd'] : [])]
  const own = services.filter((row) => row.node === node.hostname || row.node === address)
  if (own.length === 0) return [`${node.hostname} lists no Talos services`]
  return expected.flatMap((service) => {
    const row = own.find((candidate) => candidate.service === service)
    if (!row) return [`${node.hostname} has no ${service} service`]
    return row.state === 'Running' && row.health === 'OK'
      ? []
      : [`${service} on ${node.hostname} is ${row.state} (health ${row.health})`]
  })
}

/** The endpoints and nodes of the talosconfig's current context, as the export step set them. */
function talosTargets(talosconfig: string): { endpoints: string[]; nodes: string[] } {
  const parsed = parse(talosconfig) as {
    context?: string
    contexts?: Record<string, { endpoints?: string[]; nodes?: string[] }>
  }
  const current = parsed.contexts?.[parsed.context ?? '']
  if (!current?.endpoints?.length || !current.nodes?.length) {
    throw new AppError(
      'invalid_input',
      'The cluster’s talosconfig names no endpoints or nodes.',
      'Run the "Export kubeconfig and talosconfig" step again.',
    )
  }
  return { endpoints: current.endpoints, nodes: current.nodes }
}
