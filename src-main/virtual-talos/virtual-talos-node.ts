// One virtual Talos node: what its eMMC holds (TalosDisk, kept by the board), the mode it booted
// into (maintenance without a config, configured with one), its API server on 127.0.0.N:50000 and
// the console lines a real node prints. The RPCs act through the methods here; power changes they
// cause are asked of the board a moment after the answer has gone out, as Talos answers first and
// then reboots.
import { Server, ServerCredentials } from '@grpc/grpc-js'
import { setTimeout as sleep } from 'node:timers/promises'
import { machineServiceImplementation } from './apid-proxy.ts'
import type { MachineConfig } from './machine-config.ts'
import {
  issueServerIdentity,
  osCaCertificate,
  osCaFromConfig,
  selfSignedIdentity,
  spkiFingerprint,
  type OsCa,
  type TlsIdentity,
} from './talos-certs.ts'
import type { TalosDisk } from './talos-disk.ts'
import { talosApiPort, type TalosFleet } from './talos-fleet.ts'
import { machineService, resourceStateService } from './talos-proto.ts'
import {
  apiServerConfigSpec,
  componentConfigSpec,
  kubeletSpec,
  machineConfigSpec,
  manifestSpec,
  serviceSpec,
} from './talos-resource-specs.ts'
import { kubeProxyDaemonSet } from './talos-manifests.ts'
import { resourceKeys, ResourceState } from './talos-resources.ts'
import { resourceStateImplementation } from './resource-state-service.ts'
import type { VirtualTalosBackends } from './virtual-talos-backends.ts'

export type TalosMode = 'maintenance' | 'configured'

export interface TalosNodeHost {
  address: string
  disk: TalosDisk
  fleet: TalosFleet<VirtualTalosNode>
  backends: VirtualTalosBackends
  /** One line of Talos's own output on the serial console, without the kernel's prefix. */
  print(line: string): void
  /** Reboot: power cycled without touching the persisted power state. */
  powerCycle(): void
  /** Shutdown: the board sees the node off. */
  powerOff(): void
}

/** How long after answering a node reboots or powers off. */
const actionDelayMs = 100

export class VirtualTalosNode {
  readonly host: TalosNodeHost
  #mode: TalosMode | undefined
  #server: Server | undefined
  #lifecycle: Promise<void> = Promise.resolve()
  #pendingAction: NodeJS.Timeout | undefined
  #joined: string | undefined
  /** The kubelet image the node's kubelet runs; undefined before the first config is acted on. */
  #kubeletImage: string | undefined
  /** Aborted by halt(), for a boot still waiting for trustd. */
  #booting: AbortController | undefined
  /** What its controllers keep while it runs configured, served by the resource state API. */
  readonly resources = new ResourceState()
  /** Config changes are acted on one after another, as Talos's controllers would. */
  #publishing: Promise<void> = Promise.resolve()

  constructor(host: TalosNodeHost) {
    this.host = host
  }

  get address(): string {
    return this.host.address
  }

  /** undefined while the node is down. */
  get mode(): TalosMode | undefined {
    return this.#mode
  }

  get config(): MachineConfig | undefined {
    return this.host.disk.config
  }

  get version(): string {
    return this.host.disk.version
  }

  /** Power reached Talos: its API comes up in the mode the disk decides. */
  boot(): Promise<void> {
    const booting = new AbortController()
    this.#booting = booting
    this.#lifecycle = this.#lifecycle.then(() => this.#boot(booting.signal))
    return this.#lifecycle
  }

  /** Power is gone: the API stops answering at once. */
  halt(): Promise<void> {
    this.#booting?.abort()
    clearTimeout(this.#pendingAction)
    this.#pendingAction = undefined
    this.#lifecycle = this.#lifecycle.then(() => this.#halt())
    return this.#lifecycle
  }

  async #boot(signal: AbortSignal): Promise<void> {
    const { disk, fleet, address } = this.host
    if (disk.staged) {
      disk.config = disk.staged
      disk.staged = undefined
    }
    const config = disk.config
    this.host.print(`[initramfs] booting Talos ${disk.version}`)
    this.host.print('[initramfs] entering the rootfs')
    this.host.print(
      config
        ? 'task loadConfig (1/1): loading config from STATE'
        : 'task loadConfig (1/1): downloading config',
    )
    let fingerprint: string | undefined
    try {
      const tls = await this.#serverTls(config, signal)
      if (!tls) return
      fingerprint = tls.fingerprint
      const server = new Server()
      server.addService(machineService(), machineServiceImplementation(this))
      server.addService(resourceStateService(), resourceStateImplementation(this))
      await new Promise<void>((resolve, reject) =>
        server.bindAsync(`${address}:${talosApiPort}`, tls.credentials, (error) =>
          error ? reject(error) : resolve(),
        ),
      )
      this.#server = server
    } catch (error) {
      this.host.print(`service[apid](Failed): ${describe(error)}`)
      return
    }
    this.#mode = config ? 'configured' : 'maintenance'
    fleet.up(address, this)
    if (!config) return this.#printMaintenance(fingerprint!)
    this.host.print(`setting hostname {"hostname": "${config.hostname ?? address}"}`)
    this.host.print(`service[apid](Running): Started task apid for container apid`)
    if (config.type === 'controlplane') {
      // A control plane of a cluster whose etcd already runs joins it as a member.
      if (!disk.etcdData && fleet.hasEtcd(config.clusterId)) disk.etcdData = true
      this.host.print('service[trustd](Running): Started task trustd for container trustd')
      if (disk.etcdData) this.host.print('service[etcd](Running): Health check successful')
    }
    this.host.print('service[kubelet](Running): Health check successful')
    this.host.print('boot sequence: done')
    this.#joinKubernetes(config)
    this.#publish(config)
  }

  /**
   * Maintenance: a fresh self-signed certificate, no client certificate asked for. Configured: a
   * certificate from the OS CA, and clients must present one of that CA. Undefined when the boot
   * was halted while waiting for trustd.
   */
  async #serverTls(
    config: MachineConfig | undefined,
    signal: AbortSignal,
  ): Promise<{ credentials: ServerCredentials; fingerprint?: string } | undefined> {
    if (!config) {
      const identity = await selfSignedIdentity(this.host.address)
      return {
        credentials: ServerCredentials.createSsl(null, [keyCertPair(identity)], false),
        fingerprint: spkiFingerprint(identity.cert),
      }
    }
    const ca = config.ca.key
      ? osCaFromConfig(config.ca.crt, config.ca.key)
      : await this.#trustdCa(config, signal)
    if (!ca) return undefined
    const identity = await issueServerIdentity(ca, this.host.address, config.hostname ?? this.host.address)
    return { credentials: ServerCredentials.createSsl(Buffer.from(ca.cert), [keyCertPair(identity)], true) }
  }

  /** A worker has no CA key: trustd on a running control plane signs its API certificate. */
  async #trustdCa(config: MachineConfig, signal: AbortSignal): Promise<OsCa | undefined> {
    const cert = osCaCertificate(config.ca.crt)
    for (let attempt = 0; !signal.aborted; attempt++) {
      const ca = this.host.fleet.trustdCa(config.ca.crt)
      if (ca?.cert === cert) return ca
      if (attempt === 0) this.host.print('waiting for trustd on a control plane to sign the API certificate')
      await sleep(500)
    }
    return undefined
  }

  #printMaintenance(fingerprint: string): void {
    const { address } = this.host
    this.host.print('entering maintenance mode')
    this.host.print('service[apid](Running): Started task apid for container apid')
    this.host.print('this machine is reachable at:')
    this.host.print(`\t${address}`)
    this.host.print(
      `server certificate issued {"component": "controller-runtime", "controller": "secrets.MaintenanceRootController", "fingerprint": "${fingerprint}"}`,
    )
    this.host.print('upload configuration using talosctl:')
    this.host.print(`\ttalosctl apply-config --insecure --nodes ${address} --file <config.yaml>`)
    this.host.print('optionally with node fingerprint check:')
    this.host.print(
      `\ttalosctl apply-config --insecure --nodes ${address} --cert-fingerprint '${fingerprint}' --file <config.yaml>`,
    )
  }

  async #halt(): Promise<void> {
    this.host.fleet.down(this.host.address, this)
    this.#mode = undefined
    this.resources.clear()
    this.#kubeletImage = undefined
    const server = this.#server
    this.#server = undefined
    server?.forceShutdown()
  }

  #joinKubernetes(config: MachineConfig): void {
    void this.#registerNode(config)
  }

  /** The kubelet (re)registers its Node, reporting the version of the kubelet image it runs. */
  async #registerNode(config: MachineConfig): Promise<void> {
    const kubernetes = this.host.backends.kubernetes
    if (!kubernetes || !config.hostname) return
    const hostname = config.hostname
    this.#joined = hostname
    const kubeletVersion = imageVersion(config.images.kubelet)
    await kubernetes
      .joinNode({
        hostname,
        role: config.type === 'controlplane' ? 'control-plane' : 'worker',
        address: this.host.address,
        talosVersion: this.host.disk.version,
        ...(kubeletVersion ? { kubeletVersion } : {}),
      })
      .catch((error: unknown) => this.host.print(`kubelet could not register the node: ${describe(error)}`))
  }

  /**
   * The resources Talos's controllers derive from the config, and what they do about a change: a
   * control plane's static pods (mirrored into kube-system with the version of the config resource
   * they were rendered from, Talos's talos.dev/config-version annotation), and a new kubelet image
   * restarts the kubelet (its service goes away and comes back) and the Node reports its version.
   */
  #publish(config: MachineConfig): void {
    this.#publishing = this.#publishing.then(() =>
      this.#publishNow(config).catch((error: unknown) =>
        this.host.print(`controller-runtime: ${describe(error)}`),
      ),
    )
  }

  async #publishNow(config: MachineConfig): Promise<void> {
    if (this.#mode !== 'configured') return
    const { resources } = this
    resources.put(resourceKeys.machineConfig, machineConfigSpec(config.raw))
    const staticPods = []
    const manifests = []
    if (config.type === 'controlplane') {
      const proxyImage = config.images['kube-proxy']
      if (proxyImage) {
        const daemonSet = kubeProxyDaemonSet(proxyImage)
        resources.put(resourceKeys.kubeProxyManifest, manifestSpec([daemonSet]))
        manifests.push(daemonSet)
      }
      for (const component of staticPodComponents) {
        const image = config.images[component]
        if (!image) continue
        const spec = component === 'kube-apiserver' ? apiServerConfigSpec(image) : componentConfigSpec(image)
        const configVersion = resources.put(resourceKeys[component], spec)
        staticPods.push({ component, image, configVersion: String(configVersion) })
      }
    }
    const kubeletImage = config.images.kubelet
    const runningImage = this.#kubeletImage
    if (kubeletImage) resources.put(resourceKeys.kubeletSpec, kubeletSpec(kubeletImage))
    this.#kubeletImage = kubeletImage
    if (runningImage !== undefined && kubeletImage !== runningImage) {
      resources.destroy(resourceKeys.kubeletService)
      this.host.print('service[kubelet](Finished): Service finished successfully')
      await this.#registerNode(config)
      this.host.print('service[kubelet](Running): Health check successful')
    }
    resources.put(resourceKeys.kubeletService, serviceSpec(true, true))
    const kubernetes = this.host.backends.kubernetes
    if (kubernetes && config.hostname && staticPods.length > 0)
      await kubernetes.mirrorStaticPods({ hostname: config.hostname, pods: staticPods })
    if (kubernetes && this.host.disk.etcdData && manifests.length > 0)
      await kubernetes.createObjects(manifests)
  }

  /** etcd was bootstrapped: the bootstrap manifests go into Kubernetes. */
  bootstrapped(): void {
    if (this.config) this.#publish(this.config)
  }

  /** The node leaves Kubernetes (reset, shutdown). */
  leaveKubernetes(): void {
    const hostname = this.#joined
    const kubernetes = this.host.backends.kubernetes
    this.#joined = undefined
    if (!kubernetes || !hostname) return
    kubernetes
      .leaveNode(hostname)
      .catch((error: unknown) =>
        this.host.print(`could not remove the node from Kubernetes: ${describe(error)}`),
      )
  }

  /**
   * Replaces the applied config; a node joined under another hostname re-registers. Resolves once
   * the resources derived from it are published: talosctl upgrade-k8s reads the rendered manifests
   * right after its patches, which a real node has long rendered by then (its kubelets take
   * minutes to upgrade, the virtual ones none).
   */
  async replaceConfig(config: MachineConfig): Promise<void> {
    const before = this.host.disk.config
    this.host.disk.config = config
    if (this.#mode !== 'configured') return
    if (before?.hostname !== config.hostname) {
      this.leaveKubernetes()
      this.#joinKubernetes(config)
    }
    this.#publish(config)
    await this.#publishing
  }

  /** After the answer is out: reboot, or power off — first doing `then` (an upgrade's new version). */
  afterReply(action: 'reboot' | 'power-off', then?: () => void): void {
    clearTimeout(this.#pendingAction)
    this.#pendingAction = setTimeout(() => {
      this.#pendingAction = undefined
      then?.()
      if (action === 'reboot') this.host.powerCycle()
      else this.host.powerOff()
    }, actionDelayMs)
  }

  /** Waits for a boot or halt in progress (tests, board close). */
  settled(): Promise<void> {
    return this.#lifecycle
  }
}

/** The control-plane components Talos runs as static pods, in the order upgrade-k8s rolls them. */
const staticPodComponents = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const

/** `v1.35.0` from `ghcr.io/siderolabs/kubelet:v1.35.0`; undefined without a version tag. */
function imageVersion(image: string | undefined): string | undefined {
  const tag = image?.slice(image.lastIndexOf(':') + 1)
  return tag && /^v\d+\.\d+\.\d+/.test(tag) ? tag : undefined
}

function keyCertPair(identity: TlsIdentity) {
  return { cert_chain: Buffer.from(identity.cert), private_key: Buffer.from(identity.key) }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
