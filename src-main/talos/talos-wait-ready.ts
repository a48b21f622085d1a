// The end of a Talos bootstrap (and of an upgrade): every node of the profile Ready in Kubernetes
// (lifecycle/steps/nodes-ready-wait.ts), and on every node the Talos services that carry the
// cluster running and healthy — apid and kubelet everywhere, etcd on the control planes.
import { parse } from 'yaml'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { StepExecutor } from '../lifecycle/step-executor.ts'
import { waitForNodesReady, type NodesReadyDependencies } from '../lifecycle/steps/nodes-ready-wait.ts'
import { listServices, type ServiceState } from './talos-node.ts'
import {
  controlPlanesFirst,
  openSealed,
  talosctlFor,
  type TalosStepDependencies,
} from './talos-step-support.ts'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'

export interface TalosWaitReadyDependencies extends TalosStepDependencies, NodesReadyDependencies {}

export function talosWaitReadyStep(deps: TalosWaitReadyDependencies): StepExecutor<'cluster.wait-ready'> {
  return {
    async run(context) {
      const { profile } = context
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
      await waitForNodesReady(context, deps, {
        kubeconfig,
        nodes: controlPlanesFirst(profile.nodes),
        look: async (problems) => {
          const services = await listServices(talosctl, endpoints[0]!, nodes, talosconfig).catch(
            (error: unknown) => {
              if (!(error instanceof AppError) || error.code === 'cancelled') throw error
              problems.push(`the Talos API: ${error.message}`)
              return null
            },
          )
          return services && ((node, index) => serviceProblems(node, nodes[index], services))
        },
      })
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
