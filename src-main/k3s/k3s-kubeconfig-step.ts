// "Export the kubeconfig" and "Wait for every node" of a K3s deploy (docs/k3s-bootstrap.md). The
// admin kubeconfig K3s wrote on the first server is read over SSH (stdout treated as a secret),
// checked and rewritten (src-shared/k3s/k3s-kubeconfig.ts): server at the profile's API endpoint
// — kept as written on a virtual board, whose nodes' kubeconfig names the loopback API — and every
// name the cluster's; it is sealed as `kubeconfig`, which the cluster view downloads and merges.
// Then every node of the profile must turn Ready (lifecycle/steps/nodes-ready-wait.ts).
import { parse, stringify } from 'yaml'
import { AppError } from '../../src-shared/contract/app-error.ts'
import { sealedNames } from '../../src-shared/clusters/sealed-names.ts'
import {
  k3sKubeconfigPath,
  readKubeconfigCommand,
  rewriteK3sKubeconfig,
} from '../../src-shared/k3s/k3s-kubeconfig.ts'
import { orderedNodes } from '../../src-shared/lifecycle/plan-builder.ts'
import type { StepExecutor } from '../lifecycle/step-executor.ts'
import { waitForNodesReady, type NodesReadyDependencies } from '../lifecycle/steps/nodes-ready-wait.ts'
import { boardOnLoopback } from '../talos/talos-addresses.ts'
import { openSealed, pollUntil } from '../talos/talos-step-support.ts'
import { registerYamlSecrets } from '../talos/talosctl-runner.ts'
import { withNodeShell, type K3sStepDependencies } from './k3s-step-support.ts'

export function k3sExportKubeconfigStep(deps: K3sStepDependencies): StepExecutor<'k3s.export-kubeconfig'> {
  return {
    // Always read anew: K3s rewrites the file when its certificates change, and reading is cheap.
    async run(context) {
      const { profile } = context
      const first = orderedNodes(profile).find((node) => node.role === 'control-plane')!
      const timeoutMs = profile.timeouts.bootSeconds * 1000
      const raw = await withNodeShell(deps, context, first, (shell) =>
        pollUntil(context, deps.pollMs ?? 3000, timeoutMs, async () => {
          const result = await shell.run(readKubeconfigCommand)
          if (result.exitCode !== 0) return null
          registerYamlSecrets(result.stdout, context.secret)
          return result.stdout
        }),
      )
      if (raw === null)
        throw new AppError(
          'timeout',
          `K3s on ${first.hostname} did not write ${k3sKubeconfigPath} within ${timeoutMs / 1000} s.`,
          'K3s may not start: look at `systemctl status k3s` on the node (clusterdeck node exec), then retry the step.',
        )
      const board = await deps.boards.get(first.board)
      const keepServer = boardOnLoopback(board.address)
      let document: unknown
      try {
        document = parse(raw)
      } catch {
        throw new AppError('tool_failed', `${k3sKubeconfigPath} on ${first.hostname} is not YAML.`)
      }
      const kubeconfig = rewriteK3sKubeconfig(document, {
        clusterName: profile.name,
        apiEndpoint: profile.network.apiEndpoint,
        keepServer,
      })
      await context.sealed.seal(sealedNames.kubeconfig, stringify(kubeconfig))
      const server = kubeconfig.clusters[0]!.cluster.server
      return {
        message: `Sealed the kubeconfig of ${first.hostname}: context "${profile.name}", server ${server}${keepServer ? ' (the virtual board’s API)' : ''}`,
        output: { server, context: profile.name },
      }
    },
  }
}

export function k3sWaitReadyStep(deps: NodesReadyDependencies): StepExecutor<'cluster.wait-ready'> {
  return {
    async run(context) {
      const kubeconfig = await openSealed(context, sealedNames.kubeconfig, 'Export the kubeconfig')
      await waitForNodesReady(context, deps, {
        kubeconfig,
        nodes: orderedNodes(context.profile),
        // A join step is done once K3s starts; a node that cannot reach the server only says so
        // in its journal.
        hint: `Why a node's K3s did not join: clusterdeck node exec ${context.profile.name} NODE -- journalctl -u k3s-agent (k3s on a server).`,
      })
      return { message: `All ${context.profile.nodes.length} nodes are Ready in Kubernetes` }
    },
  }
}
