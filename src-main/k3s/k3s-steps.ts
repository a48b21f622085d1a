// The K3s bootstrap phase as lifecycle steps (docs/k3s-bootstrap.md), over SSH: prepare each node,
// install the first server, join the other servers and the agents, export the kubeconfig. The wait
// for every node Ready is `k3sWaitReadyStep` (k3s-kubeconfig-step.ts), picked per distribution.
import type { StepExecutor } from '../lifecycle/step-executor.ts'
import { k3sInstallStep } from './k3s-install-step.ts'
import { k3sExportKubeconfigStep } from './k3s-kubeconfig-step.ts'
import { k3sPrepareStep } from './k3s-prepare-step.ts'
import type { K3sStepDependencies } from './k3s-step-support.ts'

type K3sStepKind = 'k3s.prepare-node' | 'k3s.install-server' | 'k3s.install-agent' | 'k3s.export-kubeconfig'

export function k3sSteps(deps: K3sStepDependencies): { [K in K3sStepKind]: StepExecutor<K> } {
  return {
    'k3s.prepare-node': k3sPrepareStep(deps),
    'k3s.install-server': k3sInstallStep<'k3s.install-server'>(deps),
    'k3s.install-agent': k3sInstallStep<'k3s.install-agent'>(deps),
    'k3s.export-kubeconfig': k3sExportKubeconfigStep(deps),
  }
}
