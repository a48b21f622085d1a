// What the bootstrap steps ask a Talos node, each through one talosctl command aimed at the node
// itself (`-n A -e A`): whether it answers in maintenance mode (no credentials) or with the
// cluster's talosconfig (mutual TLS), apply a config, bootstrap etcd, hand out a kubeconfig, and
// list its services. talosctl's output is parsed here, in one place (docs/talos-bootstrap.md).
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { Talosctl } from './talosctl-runner.ts'

const probeTimeoutMs = 15_000

/**
 * Whether the node answers without credentials: it is in maintenance mode, waiting for its config.
 * Talos' maintenance service serves `version` to admins only and tells any other caller that the
 * API "is not implemented in maintenance mode" — that answer, over a TLS session no configured node
 * would accept without a client certificate, is what identifies maintenance mode.
 */
export async function answersInMaintenance(talosctl: Talosctl, address: string): Promise<boolean> {
  try {
    await talosctl({ args: ['version', '--insecure', ...target(address)], timeoutMs: probeTimeoutMs })
    return true
  } catch (error) {
    if (!(error instanceof AppError) || !['tool_failed', 'timeout'].includes(error.code)) throw error
    return /code = Unimplemented desc = API is not implemented in maintenance mode/.test(error.message)
  }
}

/** The node's Talos version when it accepts the cluster's credentials (it is configured), else null. */
export function configuredVersion(
  talosctl: Talosctl,
  address: string,
  talosconfig: string,
): Promise<string | null> {
  return serverTag(talosctl, { args: ['version', ...target(address)], talosconfig })
}

export async function applyConfig(
  talosctl: Talosctl,
  address: string,
  config: string,
  credentials: { insecure: true } | { talosconfig: string },
): Promise<void> {
  const insecure = 'insecure' in credentials
  await talosctl({
    args: [
      'apply-config',
      ...(insecure ? ['--insecure'] : []),
      ...target(address),
      '--file',
      { file: config },
    ],
    ...(insecure ? {} : { talosconfig: credentials.talosconfig }),
  })
}

const notYet = /code = (Unavailable|FailedPrecondition) desc = (.*)$/m

/**
 * Bootstraps etcd on the node. 'already' when the node refuses because its etcd already holds
 * data — what Talos answers to a second bootstrap (AlreadyExists) — so a repeated call is harmless.
 * While the node cannot be reached or is not ready to be bootstrapped (still booting, time not in
 * sync), the answer is its reason, worth asking again; any other refusal is passed on.
 */
export async function bootstrapEtcd(
  talosctl: Talosctl,
  address: string,
  talosconfig: string,
  /** An etcd snapshot to recover from (a restore): talosctl uploads it, then bootstraps from it. */
  recoverFrom?: string,
): Promise<'bootstrapped' | 'already' | { notYet: string }> {
  try {
    await talosctl({
      args: ['bootstrap', ...(recoverFrom ? ['--recover-from', recoverFrom] : []), ...target(address)],
      talosconfig,
      // Uploading a snapshot takes longer than the bootstrap call alone.
      ...(recoverFrom ? { timeoutMs: 10 * 60_000 } : {}),
    })
    return 'bootstrapped'
  } catch (error) {
    const message = error instanceof AppError ? error.message : ''
    if (/code = AlreadyExists/.test(message)) return 'already'
    const waiting = notYet.exec(message)
    if (
      waiting &&
      (waiting[1] === 'Unavailable' ||
        /^(bootstrap is not available yet|time is not in sync yet)/.test(waiting[2]!))
    )
      return { notYet: waiting[2]!.trim() }
    throw error
  }
}

/** The admin kubeconfig the control plane hands out once Kubernetes is up (a secret). */
export function fetchKubeconfig(talosctl: Talosctl, address: string, talosconfig: string): Promise<string> {
  return talosctl({
    args: ['kubeconfig', '-', '--merge=false', ...target(address)],
    talosconfig,
    quietStdout: true,
  })
}

export interface ServiceState {
  /** The node as talosctl names it: its host name when the node reports one, else its address. */
  node: string
  service: string
  state: string
  health: string
}

/** The services of the given nodes, asked through one endpoint. */
export async function listServices(
  talosctl: Talosctl,
  endpoint: string,
  nodes: readonly string[],
  talosconfig: string,
): Promise<ServiceState[]> {
  const stdout = await talosctl({
    args: ['services', '-n', nodes.join(','), '-e', endpoint],
    talosconfig,
  })
  return parseServices(stdout)
}

/** `talosctl services` prints a table: NODE SERVICE STATE HEALTH LAST CHANGE LAST EVENT. */
export function parseServices(stdout: string): ServiceState[] {
  const rows: ServiceState[] = []
  for (const line of stdout.split('\n')) {
    const [node, service, state, health] = line.trim().split(/\s+/)
    if (!node || !health || node === 'NODE') continue
    rows.push({ node, service: service!, state: state!, health })
  }
  return rows
}

function target(address: string): string[] {
  return ['-n', address, '-e', address]
}

/**
 * The server's `Tag:` from `talosctl version` (printed after the client's block), or null when the
 * node did not answer the way asked: talosctl then fails with the gRPC error, or never gets through.
 */
async function serverTag(talosctl: Talosctl, call: Parameters<Talosctl>[0]): Promise<string | null> {
  let stdout: string
  try {
    stdout = await talosctl({ ...call, timeoutMs: probeTimeoutMs })
  } catch (error) {
    if (error instanceof AppError && (error.code === 'tool_failed' || error.code === 'timeout')) return null
    throw error
  }
  const server = stdout.split(/^Server:\s*$/m)[1]
  return server ? (/^\s*Tag:\s*(\S+)/m.exec(server)?.[1] ?? null) : null
}
