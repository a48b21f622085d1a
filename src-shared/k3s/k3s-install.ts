// The K3s install on one node, from the profile (docs/k3s-bootstrap.md; facts in the K3s reference
// §1): every option lives in /etc/rancher/k3s/config.yaml, because install.sh rewrites its unit and
// env file on every run and would drop an option a re-run left out; the script only gets the pinned
// version and the command. The first control plane (orderedNodes) creates the cluster — with
// `cluster-init` (embedded etcd) when there are several servers — and every other node joins it at
// that server's own address, which is up before any VIP is. The join token is a file (mode 0600)
// written from stdin and named by K3S_TOKEN_FILE, so it is on no command line and not in the
// unit's env file either.
import { AppError } from '../contract/app-error.ts'
import { orderedNodes } from '../lifecycle/plan-builder.ts'
import { formatIpv4, parseIpv4, parseIpv4Cidr } from '../net/ipv4.ts'
import type { ClusterProfile, ProfileNode } from '../profiles/profile-schema.ts'
import {
  sameFileCheck,
  shellQuote,
  writeFileCommand,
  type NodeAction,
  type RemoteCommand,
} from './remote-command.ts'

export const k3sConfigPath = '/etc/rancher/k3s/config.yaml'
export const k3sTokenPath = '/etc/rancher/k3s/cluster-token'
/** The first server's own token, in the secure K10<CA hash>:: format the joins use. */
export const k3sServerTokenPath = '/var/lib/rancher/k3s/server/token'
const clusterdeckDir = '/var/lib/clusterdeck'
export const k3sInstallScriptPath = `${clusterdeckDir}/k3s-install.sh`

/** Prints the first server's token, for `parseK3sToken`. */
export const readServerTokenCommand: RemoteCommand = {
  command: `cat ${k3sServerTokenPath}`,
  secretStdout: true,
}

export type K3sRole = 'first-server' | 'server' | 'agent'

export interface K3sNodeInstall {
  role: K3sRole
  /** The systemd unit install.sh creates. */
  unit: 'k3s' | 'k3s-agent'
  config: string
  actions: NodeAction[]
}

/** The script of the pinned release itself, so script and binary always match. */
export function installScriptUrl(version: string): string {
  return `https://raw.githubusercontent.com/k3s-io/k3s/${encodeURIComponent(version)}/install.sh`
}

export function k3sRoleOf(profile: ClusterProfile, node: ProfileNode): K3sRole {
  if (node.role === 'worker') return 'agent'
  const first = orderedNodes(profile).find((n) => n.role === 'control-plane')
  return first?.hostname === node.hostname ? 'first-server' : 'server'
}

/** The first control plane, which makes the cluster the others join. */
export function firstK3sServer(profile: ClusterProfile): ProfileNode {
  const first = orderedNodes(profile).find((n) => n.role === 'control-plane')
  if (!first) throw invalid('has no control-plane node', 'Give the profile at least one control-plane node.')
  return first
}

/**
 * The address joining nodes reach the first server on: its profile address, or where the run
 * reached it when that differs (a virtual node answers on its own loopback address).
 */
export function k3sServerUrl(profile: ClusterProfile, reachedAt?: string): string {
  const first = firstK3sServer(profile)
  return `https://${ipv4(reachedAt ?? first.address, `node ${first.hostname}'s address`)}:6443`
}

/**
 * The install of `hostname`. A joining node needs the first server's token (read from
 * `k3sServerTokenPath` once that server runs) and, when not its profile address, the address the
 * first server was reached at; the first server makes its own token — except in a restore, where
 * it is given the cluster's original one (the restored datastore is encrypted with it) and is
 * installed without being started (`start: false`), so its datastore can be put in place first.
 */
export function k3sNodeInstall(
  profile: ClusterProfile,
  hostname: string,
  join?: { token: string; serverAddress?: string },
  { start = true }: { start?: boolean } = {},
): K3sNodeInstall {
  const node = profile.nodes.find((n) => n.hostname === hostname)
  if (!node) throw new AppError('not_found', `The profile ${profile.name} has no node ${hostname}.`)
  const version = profile.versions.k3s
  if (!version) throw invalid('names no K3s version', 'Set versions.k3s to a release such as v1.36.4+k3s1.')
  const role = k3sRoleOf(profile, node)
  const unit = role === 'agent' ? 'k3s-agent' : 'k3s'
  const config = renderConfig(k3sOptions(profile, node, role))

  const env: [string, string][] = [
    ['INSTALL_K3S_VERSION', version],
    ['INSTALL_K3S_EXEC', role === 'agent' ? 'agent' : 'server'],
    // install.sh's own final restart waits for K3s without end when a join cannot succeed (K3s
    // reference §1.1); the unit is started below without blocking and readiness is polled instead.
    ['INSTALL_K3S_SKIP_START', 'true'],
  ]
  const actions: NodeAction[] = []
  if (role !== 'first-server' && !join) throw new Error(`joining ${hostname} needs the first server's token`)
  if (join) {
    const token = parseK3sToken(join.token)
    if (role !== 'first-server') env.push(['K3S_URL', k3sServerUrl(profile, join.serverAddress)])
    env.push(['K3S_TOKEN_FILE', k3sTokenPath])
    actions.push({
      id: 'k3s-token',
      title: 'Join token file',
      check: sameFileCheck(k3sTokenPath, `${token}\n`, true),
      apply: [
        writeFileCommand(k3sTokenPath, `${token}\n`, { mode: 0o600, secret: true }),
        // A token that changed (the cluster was made anew) only counts after a restart; a
        // restoring first server is started once its datastore is in place.
        ...(role === 'first-server' ? [] : [{ command: `systemctl try-restart ${unit}` }]),
      ],
    })
  }
  const versionLine = `k3s version ${version} `
  actions.push({
    id: 'k3s-install',
    title: `K3s ${version} (${unit})`,
    check: {
      command: [
        `k3s --version 2>/dev/null | head -n 1 | grep -qF ${shellQuote(versionLine)}`,
        `systemctl is-enabled --quiet ${unit}`,
        `cmp -s ${k3sConfigPath} -`,
      ].join(' && '),
      stdin: config,
    },
    apply: [
      writeFileCommand(k3sConfigPath, config, { mode: 0o600 }),
      {
        command: `mkdir -p ${clusterdeckDir} && curl -sfL --retry 3 -o ${k3sInstallScriptPath} ${shellQuote(installScriptUrl(version))}`,
      },
      {
        command: `env ${env.map(([key, value]) => `${key}=${shellQuote(value)}`).join(' ')} sh ${k3sInstallScriptPath}`,
      },
      ...(start ? [{ command: `systemctl restart --no-block ${unit}` }] : []),
    ],
  })
  return { role, unit, config, actions }
}

/** The node's K3s options, as config.yaml keys (each one a server or agent flag without `--`). */
export function k3sOptions(
  profile: ClusterProfile,
  node: ProfileNode,
  role: K3sRole,
): [string, string | boolean | string[]][] {
  const options: [string, string | boolean | string[]][] = [
    ['node-name', node.hostname],
    ['node-ip', ipv4(node.address, `node ${node.hostname}'s address`)],
  ]
  if (role === 'agent') return options
  const { network } = profile
  const services = cidr(network.serviceCidr, 'network.serviceCidr')
  // Kept explicit so it is the same on every server, as K3s requires (reference §1.2): the tenth
  // address of the service network, as K3s's default 10.43.0.10 is for 10.43.0.0/16.
  const clusterDns = formatIpv4(services.base + 10)
  const tlsSans = [...new Set([network.apiEndpoint, ...(network.vip ? [network.vip] : [])])]
  for (const san of tlsSans) host(san, 'network.apiEndpoint / network.vip')
  options.push(
    ['write-kubeconfig-mode', '0600'],
    ['cluster-cidr', cidrText(network.podCidr, 'network.podCidr')],
    ['service-cidr', cidrText(network.serviceCidr, 'network.serviceCidr')],
    ['cluster-dns', clusterDns],
    ['tls-san', tlsSans],
  )
  const disable = disabledComponents(profile)
  if (disable.length > 0) options.push(['disable', disable])
  if (role === 'first-server' && k3sDatastore(profile) === 'etcd') options.push(['cluster-init', true])
  return options
}

/** Where the cluster keeps its state: embedded etcd with several servers, else SQLite (reference §1.2). */
export function k3sDatastore(profile: ClusterProfile): 'etcd' | 'sqlite' {
  return profile.nodes.filter((n) => n.role === 'control-plane').length > 1 ? 'etcd' : 'sqlite'
}

/**
 * K3s's packaged components the profile's add-ons replace: Traefik when the app installs an
 * ingress controller, ServiceLB when MetalLB is on (MetalLB requires it off), local-path storage
 * when Longhorn is on. Without the add-on the packaged one stays, so the cluster still has it.
 */
export function disabledComponents(profile: ClusterProfile): string[] {
  const { addons } = profile
  return [
    ...(addons.traefik.enabled || addons.ingressNginx.enabled ? ['traefik'] : []),
    ...(addons.metallb.enabled ? ['servicelb'] : []),
    ...(addons.longhorn.enabled ? ['local-storage'] : []),
  ]
}

/**
 * config.yaml: every string double-quoted (JSON's escaping is valid YAML), so nothing is read as
 * another type — unquoted, `0600` would be the number 384 to K3s's YAML parser.
 */
export function renderConfig(options: [string, string | boolean | string[]][]): string {
  const lines = ['# Written by Clusterdeck from the cluster profile; a re-run replaces it.']
  for (const [key, value] of options) {
    if (Array.isArray(value)) lines.push(`${key}:`, ...value.map((item) => `  - ${JSON.stringify(item)}`))
    else lines.push(`${key}: ${JSON.stringify(value)}`)
  }
  return `${lines.join('\n')}\n`
}

/** A K3s token as read from the server: one line, no whitespace, in the secure K10… format. */
export function parseK3sToken(text: string): string {
  const token = text.trim()
  // The message never quotes the token: it is cluster-admin-equivalent (reference §1.3).
  if (!/^K10[0-9a-f]{64}::[^\s:]+:[^\s]+$/.test(token))
    throw new AppError(
      'invalid_input',
      `The K3s token read from ${k3sServerTokenPath} is not in the K10<CA hash>::<credentials> format.`,
      'Check that the first server finished installing (systemctl status k3s), then resume the run.',
    )
  return token
}

function ipv4(text: string, what: string): string {
  if (parseIpv4(text) === null)
    throw invalid(`${what} "${text}" is not an IPv4 address`, 'Use a dotted quad such as 10.10.88.73.')
  return text.trim()
}

/** The API server's URL for clients: the profile's API endpoint on K3s's port 6443. */
export function apiServerUrl(apiEndpoint: string): string {
  return `https://${host(apiEndpoint, 'network.apiEndpoint')}:6443`
}

function host(text: string, what: string): string {
  if (
    parseIpv4(text) === null &&
    !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(text)
  )
    throw invalid(
      `${what} "${text}" is neither an IPv4 address nor a DNS name`,
      'Use an address such as 10.10.88.73 or a name such as k8s.lab.',
    )
  return text
}

function cidr(text: string, what: string) {
  const network = parseIpv4Cidr(text)
  if (!network)
    throw invalid(`${what} "${text}" is not an IPv4 network`, 'Use a network such as 10.43.0.0/16.')
  return network
}

function cidrText(text: string, what: string): string {
  cidr(text, what)
  return text.trim()
}

function invalid(problem: string, hint: string): AppError {
  return new AppError('invalid_input', `The profile ${problem}.`, hint)
}
