// A stand-in for talosctl in unit tests of the Talos steps' decisions: nodes by address, each in
// maintenance mode, configured (with the config it was given) or silent; it answers the commands
// the steps run the way talosctl reports them (stdout, or a tool_failed error with the gRPC
// status), and records every call.
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { Talosctl, TalosctlCall } from '../../src-main/talos/talosctl-runner.ts'

export interface FakeNode {
  hostname: string
  mode: 'maintenance' | 'configured' | 'silent'
  config?: string
  /** Answers with credentials only after this many more `version` calls (a reboot). */
  rebootPolls?: number
  bootstrapped?: boolean
  /** `bootstrap` answers FailedPrecondition this many more times. */
  notReadyForBootstrap?: number
  /** `bootstrap` is refused with this gRPC code and message. */
  bootstrapRefusal?: [code: string, message: string]
  services?: Array<[service: string, state: string, health: string]>
}

export class FakeTalosctl {
  readonly nodes = new Map<string, FakeNode>()
  readonly calls: string[] = []
  bootstraps = 0
  /** `kubeconfig` fails this many more times before Kubernetes hands one out. */
  kubeconfigNotYet = 0
  readonly talosconfig: string

  constructor(talosconfig: string) {
    this.talosconfig = talosconfig
  }

  readonly run: Talosctl = async (call: TalosctlCall) => {
    const args = call.args.map((arg) => (typeof arg === 'string' ? arg : '<file>'))
    this.calls.push(args.join(' ') + (call.talosconfig ? ' [talosconfig]' : ''))
    const address = args[args.indexOf('-e') + 1]!
    const node = this.nodes.get(address)
    const trusted = call.talosconfig === this.talosconfig
    const failed = (code: string, message: string) =>
      new AppError(
        'tool_failed',
        `talosctl ${args[0]} failed (exit code 1): rpc error: code = ${code} desc = ${message}`,
      )
    const refused = () =>
      failed('Unavailable', `connection error: dial tcp ${address}:50000: connect: connection refused`)
    const insecure = args.includes('--insecure')
    if (!node || node.mode === 'silent') throw refused()
    if (insecure ? node.mode !== 'maintenance' : node.mode !== 'configured' || !trusted) {
      throw failed('Unavailable', 'connection error: authentication handshake failed')
    }

    switch (args[0]) {
      case 'version':
        if (insecure) throw failed('Unimplemented', 'API is not implemented in maintenance mode')
        if (!insecure && node.rebootPolls) {
          node.rebootPolls--
          throw refused()
        }
        return `Client:\n\tTag:         v1.12.0\nServer:\n\tNODE:        ${address}\n\tTag:         v1.12.0\n`
      case 'apply-config': {
        const file = call.args.find((arg) => typeof arg !== 'string')
        node.mode = 'configured'
        node.config = typeof file === 'object' ? file.file : undefined
        return ''
      }
      case 'bootstrap':
        if (node.notReadyForBootstrap) {
          node.notReadyForBootstrap--
          throw failed('FailedPrecondition', 'time is not in sync yet')
        }
        if (node.bootstrapRefusal) throw failed(...node.bootstrapRefusal)
        if (node.bootstrapped) throw failed('AlreadyExists', 'etcd data directory is not empty')
        node.bootstrapped = true
        this.bootstraps++
        return ''
      case 'kubeconfig':
        if (this.kubeconfigNotYet > 0) {
          this.kubeconfigNotYet--
          throw failed('Unavailable', 'kubeconfig is not available yet')
        }
        return 'apiVersion: v1\nkind: Config\nusers:\n  - name: admin\n    user:\n      client-key-data: S0VZLW9mLXRoZS1hZG1pbg==\n'
      case 'services': {
        const targets = args[args.indexOf('-n') + 1]!.split(',')
        const rows = targets.flatMap((target) => {
          const named = this.nodes.get(target)
          return (named?.services ?? []).map(
            (row) => `${named!.hostname}   ${row.join('   ')}   2m ago   Health check successful`,
          )
        })
        return ['NODE   SERVICE   STATE   HEALTH   LAST CHANGE   LAST EVENT', ...rows].join('\n')
      }
      default:
        throw new Error(`the fake talosctl does not know ${args.join(' ')}`)
    }
  }
}
