// K3s on a virtual Armbian node: the install script (fetched by curl from the pinned release URL
// only), the units it creates, what starting them does, the uninstall scripts and the `k3s` CLI
// (facts in the K3s reference §1). A server makes its cluster's token (K10<CA hash>::server:<pw>)
// on first start; an agent or another server joins only a running virtual server at K3S_URL with
// that token, else its unit fails and its journal says why. With the loopback backends
// (virtual-talos-backends.ts, as the virtual Talos nodes use) a server writes k3s.yaml for the
// loopback API and every started node registers its Node there; without them the node says there
// is no Kubernetes API behind it. A restore is simulated as K3s does it: `k3s server --cluster-reset
// --cluster-reset-restore-path=FILE` checks the etcd snapshot's integrity, a server starting on a
// state.db it did not make checks SQLite's header, and both need the token the datastore's
// bootstrap data was encrypted with (remembered for every snapshot a virtual server took).
import { createHash, randomBytes } from 'node:crypto'
import type { ExecResult, ResolvedCommandContext } from 'just-bash'
import { parse, stringify } from 'yaml'
import { installScriptUrl, k3sConfigPath, k3sServerTokenPath } from '../../src-shared/k3s/k3s-install.ts'
import { k3sKubeconfigPath } from '../../src-shared/k3s/k3s-kubeconfig.ts'
import { etcdSnapshotIntact, isSqliteDatabase } from '../day2/snapshot-file.ts'
import type { VirtualTalosBackends } from '../virtual-talos/virtual-talos-backends.ts'
import { readText, unitDir, wantsDir } from './armbian-disk.ts'
import type { ArmbianSystem } from './armbian-system.ts'

export const k3sApiPort = 6443
const versionPattern = /^v\d+\.\d+\.\d+\+k3s\d+$/
const binaryPath = '/usr/local/bin/k3s'
const snapshotDir = '/var/lib/rancher/k3s/server/db/snapshots'
const sqlitePath = '/var/lib/rancher/k3s/server/db/state.db'
const noApi =
  'error: no Kubernetes API behind this virtual node (npm run virtual-cluster starts a loopback cluster; give the virtual board its kubeconfig in CLUSTERDECK_VIRTUAL_KUBECONFIG, docs/virtual-board.md)'

type K3sUnit = 'k3s' | 'k3s-agent'

/** The running K3s servers of this process, by address, and which Nodes each cluster has. */
export class K3sRegistry {
  readonly servers = new Map<string, VirtualK3s>()
  readonly clusters = new Map<string, Set<string>>()
  /**
   * The token each datastore a virtual server wrote (an etcd snapshot, a state.db) is encrypted
   * with, by the file's sha256: what a real snapshot carries inside as its bootstrap data.
   */
  readonly datastoreTokens = new Map<string, string>()
  /** The state.db (sha256) each single server last ran on, by address: another one was restored. */
  readonly sqliteInUse = new Map<string, string>()
}

/** A datastore a virtual server was restored from (for tests, as a Talos node's recoveredFrom). */
export interface K3sRestoreRecord {
  datastore: 'etcd' | 'sqlite'
  bytes: number
  sha256: string
}

const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
/** The credential part of a token (`K10<CA hash>::server:<password>` or a bare password). */
const passwordOf = (token: string) => token.split(':').at(-1) ?? token
const tokenMismatch =
  'level=fatal msg="starting kubernetes: preparing server: bootstrap data already found and encrypted with different token"'

const processRegistry = new K3sRegistry()

const ok = (stdout = ''): ExecResult => ({ stdout, stderr: '', exitCode: 0 })
const fail = (stderr: string, exitCode = 1): ExecResult => ({ stdout: '', stderr: `${stderr}\n`, exitCode })

interface Running {
  unit: K3sUnit
  nodeName: string
  clusterId: string
  joined: boolean
}

export class VirtualK3s {
  readonly #address: string
  readonly #backends: VirtualTalosBackends
  readonly #registry: K3sRegistry
  #system: ArmbianSystem | undefined
  #running: Running | undefined
  /** Registered before a restart whose start has not registered again: its Node is still there. */
  #kept: Running | undefined
  /** Started with `cluster-init` (embedded etcd): further servers may join it. */
  #clusterInit = false

  readonly #onInstall: (role: 'server' | 'agent') => void
  readonly #onRestore: (restore: K3sRestoreRecord) => void

  constructor(options: {
    address: string
    backends: VirtualTalosBackends
    registry?: K3sRegistry
    /** Told of every run of the install script that got as far as installing. */
    onInstall?: (role: 'server' | 'agent') => void
    /** Told of every datastore this node's K3s was restored from. */
    onRestore?: (restore: K3sRestoreRecord) => void
  }) {
    this.#address = options.address
    this.#backends = options.backends
    this.#registry = options.registry ?? processRegistry
    this.#onInstall = options.onInstall ?? (() => undefined)
    this.#onRestore = options.onRestore ?? (() => undefined)
  }

  attach(system: ArmbianSystem): void {
    this.#system = system
  }

  get #fs() {
    return this.#system!.fs
  }

  /** The server's token, once it has made or joined a cluster. */
  async serverToken(): Promise<string | undefined> {
    return (await readText(this.#fs, k3sServerTokenPath))?.trim() || undefined
  }

  get runningServer(): boolean {
    return this.#running?.unit === 'k3s'
  }

  async version(): Promise<string | undefined> {
    const binary = await readText(this.#fs, binaryPath)
    return binary === undefined ? undefined : /^# k3s (\S+)$/m.exec(binary)?.[1]
  }

  // ---- curl

  async curl(args: string[], ctx: ResolvedCommandContext): Promise<ExecResult> {
    let output: string | undefined
    let url: string | undefined
    let silent = false
    let showErrors = false
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!
      if (arg === '-o' || arg === '--output') output = args[++i]
      else if (arg === '--retry' || arg === '-m' || arg === '--max-time' || arg === '-H') i++
      else if (/^-[a-zA-Z]+$/.test(arg)) {
        if (arg.includes('s')) silent = true
        if (arg.includes('S')) showErrors = true
      } else if (!arg.startsWith('-')) url = arg
    }
    const error = (text: string, code: number) => ({
      stdout: '',
      stderr: silent && !showErrors ? '' : `curl: ${text}\n`,
      exitCode: code,
    })
    if (url === undefined) return error('no URL specified', 2)
    const version = /^https:\/\/raw\.githubusercontent\.com\/k3s-io\/k3s\/([^/]+)\/install\.sh$/.exec(
      url,
    )?.[1]
    const release = version === undefined ? undefined : decodeURIComponent(version)
    if (release === undefined || !versionPattern.test(release) || installScriptUrl(release) !== url) {
      let host: string
      try {
        host = new URL(url).hostname
      } catch {
        return error(`(3) URL rejected: Malformed input to a URL function`, 3)
      }
      // The virtual node has no way out: only the pinned install script is served to it.
      return error(`(6) Could not resolve host: ${host}`, 6)
    }
    const script = installScript(release)
    if (output === undefined) return ok(script)
    const path = output.startsWith('/') ? output : `${ctx.cwd}/${output}`
    const dir = path.slice(0, path.lastIndexOf('/')) || '/'
    if (!(await this.#fs.exists(dir))) return error(`(23) Failure writing output to destination`, 23)
    await this.#fs.writeFile(path, script)
    return ok()
  }

  // ---- install.sh

  async install(args: string[], ctx: ResolvedCommandContext): Promise<ExecResult> {
    const env = (name: string) => ctx.env.get(name) ?? ''
    if (ctx.env.get('USER') !== 'root') return fail('[ERROR]  You need to be root to perform this install')
    const version = env('INSTALL_K3S_VERSION') || args[0] || ''
    if (!versionPattern.test(version))
      return fail(
        `[ERROR]  Failed to download https://github.com/k3s-io/k3s/releases/download/${version}/k3s-arm64`,
      )
    const exec = env('INSTALL_K3S_EXEC').trim()
    const first = exec.split(/\s+/)[0] ?? ''
    const role = first === 'agent' || first === 'server' ? first : env('K3S_URL') ? 'agent' : 'server'
    if (role === 'agent' && !env('K3S_URL'))
      return fail('[ERROR]  K3S_URL is required to install an agent (INSTALL_K3S_EXEC=agent)')
    if (env('K3S_URL') && !env('K3S_TOKEN') && !env('K3S_TOKEN_FILE'))
      return fail(
        "[ERROR]  Defaulted k3s exec command to 'agent' because K3S_URL is defined, but K3S_TOKEN or K3S_TOKEN_FILE is not defined.",
      )
    const unit: K3sUnit = role === 'agent' ? 'k3s-agent' : 'k3s'
    const uninstall = unit === 'k3s' ? 'k3s-uninstall.sh' : 'k3s-agent-uninstall.sh'
    const fs = this.#fs
    this.#onInstall(role)
    const commit = createHash('sha256').update(version).digest('hex').slice(0, 8)
    // Found on PATH or called by its path, the binary hands over to the simulated K3s.
    await fs.writeFile(binaryPath, `#!/bin/sh\n# k3s ${version}\n# commit ${commit}\nvirtual-k3s "$@"\n`)
    await fs.chmod(binaryPath, 0o755)
    for (const tool of ['kubectl', 'crictl', 'ctr']) {
      await fs.writeFile(`/usr/local/bin/${tool}`, `#!/bin/sh\nk3s ${tool} "$@"\n`)
      await fs.chmod(`/usr/local/bin/${tool}`, 0o755)
    }
    await fs.writeFile('/usr/local/bin/k3s-killall.sh', `#!/bin/sh\nsystemctl stop ${unit}\n`)
    await fs.writeFile(`/usr/local/bin/${uninstall}`, `#!/bin/sh\nset -e\nvirtual-k3s-uninstall ${unit}\n`)
    for (const script of ['k3s-killall.sh', uninstall]) await fs.chmod(`/usr/local/bin/${script}`, 0o755)
    const unitEnv = ['K3S_URL', 'K3S_TOKEN', 'K3S_TOKEN_FILE']
      .filter((name) => env(name))
      .map((name) => `${name}='${env(name)}'\n`)
      .join('')
    await fs.writeFile(`${unitDir}/${unit}.service.env`, unitEnv)
    await fs.chmod(`${unitDir}/${unit}.service.env`, 0o600)
    await fs.writeFile(
      `${unitDir}/${unit}.service`,
      `[Unit]\nDescription=Lightweight Kubernetes\n[Service]\nType=${role === 'agent' ? 'exec' : 'notify'}\nEnvironmentFile=-${unitDir}/${unit}.service.env\nExecStart=${binaryPath} ${[role, ...exec.split(/\s+/).slice(first === role ? 1 : 0)].filter(Boolean).join(' ')}\n`,
    )
    await fs.mkdir(wantsDir, { recursive: true })
    await fs.writeFile(`${wantsDir}/${unit}.service`, `${unitDir}/${unit}.service\n`)
    let out = [
      `[INFO]  Using ${version} as release`,
      `[INFO]  Downloading hash https://github.com/k3s-io/k3s/releases/download/${version}/sha256sum-arm64.txt`,
      `[INFO]  Downloading binary https://github.com/k3s-io/k3s/releases/download/${version}/k3s-arm64`,
      '[INFO]  Verifying binary download',
      `[INFO]  Installing k3s to ${binaryPath}`,
      `[INFO]  Creating uninstall script /usr/local/bin/${uninstall}`,
      `[INFO]  env: Creating environment file ${unitDir}/${unit}.service.env`,
      `[INFO]  systemd: Creating service file ${unitDir}/${unit}.service`,
      `[INFO]  systemd: Enabling ${unit} unit`,
      '',
    ].join('\n')
    if (env('INSTALL_K3S_SKIP_START') !== 'true') {
      out += `[INFO]  systemd: Starting ${unit}\n`
      await this.#system!.startUnit(unit, true)
      if (this.#system!.failed.has(unit))
        return {
          stdout: out,
          stderr: `Job for ${unit}.service failed because the control process exited with error code.\n`,
          exitCode: 1,
        }
    }
    return ok(out)
  }

  async uninstall(unit: string, ctx: ResolvedCommandContext): Promise<ExecResult> {
    if (ctx.env.get('USER') !== 'root') return fail(`${unit}-uninstall.sh: must be run as root`)
    if (unit !== 'k3s' && unit !== 'k3s-agent') return fail(`virtual-k3s-uninstall: unknown unit ${unit}`)
    const system = this.#system!
    await system.stopUnit(unit)
    await this.#leave(true)
    this.#registry.sqliteInUse.delete(this.#address)
    const fs = this.#fs
    for (const path of [
      `${wantsDir}/${unit}.service`,
      `${unitDir}/${unit}.service`,
      `${unitDir}/${unit}.service.env`,
      binaryPath,
      '/usr/local/bin/kubectl',
      '/usr/local/bin/crictl',
      '/usr/local/bin/ctr',
      '/usr/local/bin/k3s-killall.sh',
      `/usr/local/bin/${unit}-uninstall.sh`,
      '/etc/rancher/k3s',
      '/var/lib/rancher/k3s',
      '/var/lib/kubelet',
    ])
      await fs.rm(path, { recursive: true, force: true })
    system.journals.delete(unit)
    return ok(`+ systemctl stop ${unit}\n+ systemctl disable ${unit}\n+ rm -f ${binaryPath}\n`)
  }

  // ---- units

  /** Starts a unit: undefined when it runs, else why it failed (its journal lines). */
  async start(unit: string): Promise<string | undefined> {
    if (unit !== 'k3s' && unit !== 'k3s-agent') return undefined
    const version = await this.version()
    if (version === undefined) return `Failed to locate executable ${binaryPath}: No such file or directory`
    const config = await this.#config()
    if (typeof config === 'string') return config
    const nodeName =
      typeof config['node-name'] === 'string' ? config['node-name'] : await this.#system!.hostname()
    const env = await this.#unitEnv(unit)
    let clusterId: string
    if (unit === 'k3s-agent' || env.K3S_URL) {
      const joined = await this.#join(env)
      if (typeof joined === 'string') return joined
      if (unit === 'k3s') {
        if (!joined.server.#clusterInit)
          return `level=fatal msg="starting kubernetes: preparing server: failed to get cluster bootstrap data: ${joined.server.#address} runs a single server with its datastore in SQLite; start the first server with cluster-init to add servers"`
        await this.#writeToken(joined.token)
      }
      clusterId = joined.clusterId
    } else {
      let token = await this.serverToken()
      if (!token) {
        // The token it was given (a restore's original one), else one it makes.
        const given = env.K3S_TOKEN_FILE
          ? (await readText(this.#fs, env.K3S_TOKEN_FILE))?.trim()
          : env.K3S_TOKEN
        token = serverTokenFrom(given)
        await this.#writeToken(token)
      }
      clusterId = token.slice(3, 67)
      if (unit === 'k3s' && config['cluster-init'] !== true) {
        const problem = await this.#checkSqliteDatastore(token)
        if (problem) return problem
      }
    }
    this.#clusterInit = config['cluster-init'] === true
    const running: Running = { unit, nodeName, clusterId, joined: false }
    this.#running = running
    if (unit === 'k3s') this.#registry.servers.set(this.#address, this)
    const kubernetes = this.#backends.kubernetes
    const system = this.#system!
    if (!kubernetes) {
      system.journal(unit, noApi.replace(/^error: /, 'level=warning msg="') + '"')
      return undefined
    }
    try {
      // K3s opens its datastore before its API server serves and its Node registers: a Ready node
      // of a single server always has its state.db.
      if (unit === 'k3s' && !this.#clusterInit && !env.K3S_URL) await this.#writeSqliteDatastore(nodeName)
      if (unit === 'k3s') await this.#writeKubeconfig(kubernetes, config)
      const osImage = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(
        (await readText(this.#fs, '/etc/os-release')) ?? '',
      )?.[1]
      await kubernetes.joinNode({
        hostname: nodeName,
        role: unit === 'k3s' ? 'control-plane' : 'worker',
        address: typeof config['node-ip'] === 'string' ? config['node-ip'] : this.#address,
        k3sVersion: version,
        osImage: osImage ?? 'Armbian',
      })
      running.joined = true
      this.#kept = undefined
      let members = this.#registry.clusters.get(clusterId)
      if (!members) this.#registry.clusters.set(clusterId, (members = new Set()))
      members.add(nodeName)
    } catch (error) {
      this.#running = undefined
      if (this.#registry.servers.get(this.#address) === this) this.#registry.servers.delete(this.#address)
      return `level=fatal msg="could not register node ${nodeName}: ${error instanceof Error ? error.message : String(error)}"`
    }
    return undefined
  }

  /**
   * The unit stops. In a restart (`systemctl restart`, an upgrade) its Node stays, as K3s keeps
   * its Node object — cordon included — across restarts: the start that follows updates it.
   */
  async stop(unit: string, restarting = false): Promise<void> {
    if (this.#running?.unit !== unit) return
    await this.#leave(false, restarting)
  }

  /**
   * The node stops serving; unless it restarts, its Node leaves the loopback cluster as a stopped
   * Talos node's does.
   */
  async #leave(uninstalling: boolean, restarting = false): Promise<void> {
    const running = this.#running ?? this.#kept
    this.#running = undefined
    this.#kept = undefined
    if (this.#registry.servers.get(this.#address) === this) this.#registry.servers.delete(this.#address)
    if (!running?.joined) return
    if (restarting) {
      this.#kept = running
      return
    }
    this.#registry.clusters.get(running.clusterId)?.delete(running.nodeName)
    await this.#backends.kubernetes?.leaveNode(running.nodeName).catch((error: unknown) => {
      if (!uninstalling)
        this.#system?.journal(running.unit, `could not remove node ${running.nodeName}: ${String(error)}`)
    })
  }

  /**
   * A single server starting on a state.db it did not make itself (a restore): the file must be a
   * SQLite database whose bootstrap data the server's token opens; recorded as restored.
   */
  async #checkSqliteDatastore(token: string): Promise<string | undefined> {
    const bytes = await this.#fs.readFileBuffer(sqlitePath).catch(() => undefined)
    if (bytes === undefined) return undefined
    const sha256 = sha256Of(bytes)
    if (this.#registry.sqliteInUse.get(this.#address) === sha256) return undefined
    if (!isSqliteDatabase(bytes))
      return `level=fatal msg="starting kubernetes: preparing server: creating storage endpoint: building kine: ${sqlitePath}: file is not a database"`
    const original = this.#registry.datastoreTokens.get(sha256)
    if (original !== undefined && passwordOf(original) !== passwordOf(token)) return tokenMismatch
    this.#registry.sqliteInUse.set(this.#address, sha256)
    this.#onRestore({ datastore: 'sqlite', bytes: bytes.length, sha256 })
    return undefined
  }

  /**
   * `k3s server --cluster-reset [--cluster-reset-restore-path=FILE]` with the unit stopped: etcd
   * reset to one member, from the snapshot when one is named — checked for integrity, and opened
   * with the token given (`--token`, `--token-file`, K3S_TOKEN or config.yaml's `token`).
   */
  async #clusterReset(args: string[], ctx: ResolvedCommandContext): Promise<ExecResult> {
    if (ctx.env.get('USER') !== 'root')
      return fail('level=fatal msg="preparing server: mkdir /var/lib/rancher/k3s/server: permission denied"')
    const flag = (name: string) => {
      const at = args.indexOf(`--${name}`)
      if (at >= 0) return args[at + 1]
      return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
    }
    if (this.runningServer)
      return fail(
        'level=fatal msg="starting kubernetes: preparing server: start managed database: listen tcp 127.0.0.1:2380: bind: address already in use"',
      )
    const config = await this.#config()
    if (typeof config === 'string') return fail(config)
    const done = `level=info msg="Managed etcd cluster membership has been reset, restart without --cluster-reset flag now. Backup and delete \${datadir}/server/db on each peer etcd server and rejoin the nodes"\n`
    const path = flag('cluster-reset-restore-path')
    if (path === undefined) return { stdout: '', stderr: done, exitCode: 0 }
    const bytes = await this.#fs.readFileBuffer(path).catch(() => undefined)
    if (bytes === undefined)
      return fail(
        `level=fatal msg="starting kubernetes: preparing server: start managed database: failed to restore etcd from snapshot: open ${path}: no such file or directory"`,
      )
    if (!etcdSnapshotIntact(bytes))
      return fail(
        `level=fatal msg="starting kubernetes: preparing server: start managed database: failed to restore etcd from snapshot ${path}: snapshot file integrity check failed"`,
      )
    const tokenFile = flag('token-file')
    let token =
      flag('token') ??
      ctx.env.get('K3S_TOKEN') ??
      (typeof config.token === 'string' ? config.token : undefined)
    if (tokenFile !== undefined) {
      token = (await readText(this.#fs, tokenFile))?.trim()
      if (token === undefined)
        return fail(
          `level=fatal msg="Error: failed to read token file ${tokenFile}: open ${tokenFile}: no such file or directory"`,
        )
    }
    if (!token)
      return fail(
        'level=fatal msg="starting kubernetes: preparing server: --token is required to restore a snapshot: its bootstrap data is encrypted with the token"',
      )
    const sha256 = sha256Of(bytes)
    const original = this.#registry.datastoreTokens.get(sha256)
    if (original !== undefined && passwordOf(original) !== passwordOf(token)) return fail(tokenMismatch)
    await this.#writeToken(original ?? serverTokenFrom(token))
    const member = '/var/lib/rancher/k3s/server/db/etcd/member/snap'
    await this.#fs.mkdir(member, { recursive: true })
    await this.#fs.writeFile(`${member}/db`, bytes.subarray(0, bytes.length - 32))
    this.#onRestore({ datastore: 'etcd', bytes: bytes.length, sha256 })
    return { stdout: '', stderr: done, exitCode: 0 }
  }

  async #writeToken(token: string): Promise<void> {
    const dir = k3sServerTokenPath.slice(0, k3sServerTokenPath.lastIndexOf('/'))
    await this.#fs.mkdir(dir, { recursive: true })
    for (const path of [k3sServerTokenPath, `${dir}/node-token`]) {
      await this.#fs.writeFile(path, `${token}\n`)
      await this.#fs.chmod(path, 0o600)
    }
  }

  async #config(): Promise<Record<string, unknown> | string> {
    const text = await readText(this.#fs, k3sConfigPath)
    if (text === undefined) return {}
    try {
      const value: unknown = parse(text)
      return value && typeof value === 'object' ? (value as Record<string, unknown>) : {}
    } catch (error) {
      return `level=fatal msg="Error: failed to parse ${k3sConfigPath}: ${error instanceof Error ? error.message : String(error)}"`
    }
  }

  async #unitEnv(unit: string): Promise<Record<string, string>> {
    const text = (await readText(this.#fs, `${unitDir}/${unit}.service.env`)) ?? ''
    return Object.fromEntries(
      text
        .split('\n')
        .map((line) => /^([A-Z0-9_]+)='?(.*?)'?$/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1]!, m[2]!]),
    )
  }

  async #join(
    env: Record<string, string>,
  ): Promise<{ server: VirtualK3s; token: string; clusterId: string } | string> {
    const url = env.K3S_URL ?? ''
    if (!url) return 'level=fatal msg="Error: --server is required"'
    let token = env.K3S_TOKEN
    if (env.K3S_TOKEN_FILE) {
      token = (await readText(this.#fs, env.K3S_TOKEN_FILE))?.trim()
      if (token === undefined)
        return `level=fatal msg="Error: failed to read token file ${env.K3S_TOKEN_FILE}: open ${env.K3S_TOKEN_FILE}: no such file or directory"`
    }
    if (!token) return 'level=fatal msg="Error: --token is required"'
    let host: string
    try {
      const parsed = new URL(url)
      host = parsed.hostname
      if (parsed.protocol !== 'https:' || Number(parsed.port || 443) !== k3sApiPort) throw new Error('port')
    } catch {
      return `level=error msg="failed to get CA certs: Get \\"${url}/cacerts\\": dial tcp: connection refused"`
    }
    const server = this.#registry.servers.get(host)
    const serverToken = server?.runningServer ? await server.serverToken() : undefined
    if (!server || !serverToken || server === this)
      return `level=error msg="failed to get CA certs: Get \\"https://${host}:${k3sApiPort}/cacerts\\": dial tcp ${host}:${k3sApiPort}: connect: connection refused"`
    const clusterId = serverToken.slice(3, 67)
    const secure = /^K10([0-9a-f]{64})::([^:\s]+):(\S+)$/.exec(token)
    if (secure && secure[1] !== clusterId)
      return `level=fatal msg="Error: token CA hash does not match the Cluster CA certificate hash: ${secure[1]} != ${clusterId}"`
    const password = secure ? secure[3] : token
    if (password !== serverToken.split(':').at(-1))
      return `level=fatal msg="Error: failed to validate token: failed to get CA certs: https://${host}:${k3sApiPort}/cacerts: 401 Unauthorized"`
    return { server, token: serverToken, clusterId }
  }

  async #writeKubeconfig(
    kubernetes: NonNullable<VirtualTalosBackends['kubernetes']>,
    config: Record<string, unknown>,
  ): Promise<void> {
    const document = parse(await kubernetes.kubeconfigFor('default')) as {
      users: { name: string }[]
      contexts: { name: string; context: { cluster: string; user: string } }[]
      'current-context': string
    }
    // As K3s names everything in its admin kubeconfig (K3s reference §1.4).
    for (const user of document.users) user.name = 'default'
    for (const context of document.contexts) {
      context.name = 'default'
      context.context = { cluster: 'default', user: 'default' }
    }
    document['current-context'] = 'default'
    const mode =
      typeof config['write-kubeconfig-mode'] === 'string'
        ? Number.parseInt(config['write-kubeconfig-mode'], 8)
        : 0o600
    await this.#fs.mkdir('/etc/rancher/k3s', { recursive: true })
    await this.#fs.writeFile(k3sKubeconfigPath, stringify(document))
    await this.#fs.chmod(k3sKubeconfigPath, Number.isNaN(mode) ? 0o600 : mode)
  }

  /**
   * A single server keeps its datastore in SQLite (kine) at state.db: a real SQLite file made
   * with the node's own sqlite3, holding kine's table and this node's registration key.
   */
  async #writeSqliteDatastore(nodeName: string): Promise<void> {
    if (await this.#fs.exists(sqlitePath)) return
    await this.#fs.mkdir(sqlitePath.slice(0, sqlitePath.lastIndexOf('/')), { recursive: true })
    const root = await this.#system!.user('root')
    if (!root) return
    await this.#system!.run(
      root,
      `sqlite3 ${sqlitePath} "CREATE TABLE kine (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, created INTEGER, deleted INTEGER, create_revision INTEGER, prev_revision INTEGER, lease INTEGER, value BLOB, old_value BLOB); INSERT INTO kine (name, created, deleted, create_revision, prev_revision, lease) VALUES ('/registry/minions/${nodeName}', 1, 0, 0, 0, 0);"`,
      '',
    )
    const bytes = await this.#fs.readFileBuffer(sqlitePath).catch(() => undefined)
    const token = await this.serverToken()
    if (bytes === undefined || token === undefined) return
    this.#registry.sqliteInUse.set(this.#address, sha256Of(bytes))
    this.#registry.datastoreTokens.set(sha256Of(bytes), token)
  }

  /**
   * `k3s etcd-snapshot save [--name N]` on a server with embedded etcd: with the loopback etcd a
   * real snapshot of it (as the virtual Talos node streams one), else a clearly marked stand-in.
   * A server on SQLite refuses, as K3s does.
   */
  async #etcdSnapshot(args: string[], ctx: ResolvedCommandContext): Promise<ExecResult> {
    if (ctx.env.get('USER') !== 'root')
      return fail(`level=fatal msg="open ${snapshotDir}: permission denied"`)
    if (args[0] !== 'save')
      return fail(`k3s etcd-snapshot ${args[0] ?? ''}: only "save" is simulated on this virtual node`)
    if (!this.runningServer) return fail('level=fatal msg="etcd-snapshot: the k3s server is not running"')
    if (!this.#clusterInit)
      return fail(`level=fatal msg="etcd database not found in ${snapshotDir.replace(/snapshots$/, 'etcd')}"`)
    const nameAt = args.indexOf('--name')
    const name =
      (nameAt >= 0
        ? args[nameAt + 1]
        : /^--name=(.+)$/.exec(args.find((a) => a.startsWith('--name=')) ?? '')?.[1]) ?? 'on-demand'
    const file = `${snapshotDir}/${name}-${this.#running!.nodeName}-${Math.floor(Date.now() / 1000)}`
    let content: Uint8Array
    const etcd = this.#backends.etcd
    if (etcd) {
      const chunks: Uint8Array[] = []
      for await (const chunk of etcd.snapshot(AbortSignal.timeout(5 * 60_000))) chunks.push(chunk)
      content = Buffer.concat(chunks)
    } else {
      content = Buffer.from(
        'clusterdeck virtual node: stand-in for a K3s etcd snapshot, not an etcd database (no etcd behind this virtual node; npm run virtual-cluster, docs/virtual-board.md)\n',
      )
    }
    const token = await this.serverToken()
    if (token) this.#registry.datastoreTokens.set(sha256Of(content), token)
    await this.#fs.mkdir(snapshotDir, { recursive: true })
    await this.#fs.writeFile(file, content)
    await this.#fs.chmod(file, 0o600)
    return ok(
      `level=info msg="Snapshot ${name}-${this.#running!.nodeName}-${file.split('-').at(-1)} saved."\n`,
    )
  }

  // ---- the k3s CLI

  async cli(args: string[], ctx: ResolvedCommandContext): Promise<ExecResult> {
    const version = await this.version()
    if (version === undefined) return fail('sh: 1: k3s: not found', 127)
    const [sub, ...rest] = args
    if (sub === '--version' || sub === '-v' || sub === 'version') {
      const commit = /^# commit (\S+)$/m.exec((await readText(this.#fs, binaryPath)) ?? '')?.[1] ?? '00000000'
      return ok(`k3s version ${version} (${commit})\ngo version go1.24.6\n`)
    }
    if (sub === 'kubectl') return this.#kubectl(rest, ctx)
    if (sub === 'server' && rest.includes('--cluster-reset')) return this.#clusterReset(rest, ctx)
    if (sub === 'server' || sub === 'agent')
      return fail(
        `k3s ${sub} runs from its systemd unit on this virtual node: systemctl start ${sub === 'server' ? 'k3s' : 'k3s-agent'}`,
      )
    if (sub === 'check-config') return ok('System: pass\n')
    if (sub === 'etcd-snapshot') return this.#etcdSnapshot(rest, ctx)
    return fail(
      `k3s ${sub ?? ''}: not simulated on this virtual node (it answers --version, kubectl get nodes; the join token is in ${k3sServerTokenPath})`,
    )
  }

  async #kubectl(args: string[], ctx: ResolvedCommandContext): Promise<ExecResult> {
    if (ctx.env.get('USER') !== 'root')
      return fail(
        `error: error loading config file "${k3sKubeconfigPath}": open ${k3sKubeconfigPath}: permission denied`,
      )
    if (!this.runningServer)
      return fail(
        'The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?',
      )
    const kubernetes = this.#backends.kubernetes
    if (!kubernetes) return fail(noApi)
    const words = args.filter((a, i) => !a.startsWith('-') && args[i - 1] !== '-o')
    const output = args.includes('-o')
      ? args[args.indexOf('-o') + 1]
      : /^-o(\S+)$/.exec(args.find((a) => a.startsWith('-o')) ?? '')?.[1]
    if (words[0] !== 'get' || !['nodes', 'node', 'no'].includes(words[1] ?? ''))
      return fail('error: the kubectl of this virtual node answers only "get nodes"')
    const members = this.#registry.clusters.get(this.#running!.clusterId) ?? new Set<string>()
    let nodes = (await kubernetes.listNodes()).filter((node) => members.has(nodeNameOf(node)))
    if (words[2]) {
      nodes = nodes.filter((node) => nodeNameOf(node) === words[2])
      if (nodes.length === 0) return fail(`Error from server (NotFound): nodes "${words[2]}" not found`)
    }
    if (output === 'json') {
      const body = words[2]
        ? nodes[0]
        : { apiVersion: 'v1', items: nodes, kind: 'List', metadata: { resourceVersion: '' } }
      return ok(`${JSON.stringify(body, null, 4)}\n`)
    }
    const rows = nodes.map((node) => {
      const n = node as {
        metadata?: { labels?: Record<string, string> }
        status?: { conditions?: { type: string; status: string }[]; nodeInfo?: { kubeletVersion?: string } }
      }
      const ready = n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
      const roles = n.metadata?.labels?.['node-role.kubernetes.io/control-plane']
        ? 'control-plane,master'
        : '<none>'
      return [
        nodeNameOf(node),
        ready ? 'Ready' : 'NotReady',
        roles,
        '1m',
        n.status?.nodeInfo?.kubeletVersion ?? '',
      ]
    })
    const table = [['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'], ...rows]
    const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)) + 3)
    return ok(
      table
        .map((r) =>
          r
            .map((c, i) => c.padEnd(widths[i]!))
            .join('')
            .trimEnd(),
        )
        .join('\n') + '\n',
    )
  }
}

/**
 * A server's token: the one given when in K3s's secure form, else as K3s makes one —
 * K10<CA hash>::server:<password>, with the password given, if any.
 */
function serverTokenFrom(given?: string): string {
  if (given && /^K10[0-9a-f]{64}::/.test(given)) return given
  return `K10${createHash('sha256').update(randomBytes(32)).digest('hex')}::server:${given || randomBytes(16).toString('hex')}`
}

function nodeNameOf(node: unknown): string {
  return (node as { metadata?: { name?: string } }).metadata?.name ?? ''
}

/** What curl fetches from the pinned release URL: the script runs the node's simulated install. */
function installScript(version: string): string {
  return [
    '#!/bin/sh',
    `# K3s install script of ${version}, as a virtual Armbian node receives it (docs/virtual-board.md):`,
    '# it installs the simulated K3s of that release, configured by INSTALL_K3S_* and K3S_* as install.sh is.',
    'set -e',
    `virtual-k3s-install ${version} "$@"`,
    '',
  ].join('\n')
}
