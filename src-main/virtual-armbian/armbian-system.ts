// The running system of a virtual Armbian node: its file system (ArmbianDisk, kept while the image
// is on the eMMC), its NVMe drive, and what lives only while it has power — active and failed
// systemd units with their journal, loaded kernel modules, mounts. Commands run in just-bash
// against the file system with the custom commands of armbian-commands.ts, one shell per node;
// nothing a command does reaches the host.
import { Bash, type InMemoryFs } from 'just-bash'
import {
  checkPassword,
  dpkgStatusPath,
  packageUnitDir,
  readText,
  systemUser,
  unitDir,
  wantsDir,
  type SystemUser,
} from './armbian-disk.ts'
import { armbianCommands } from './armbian-commands.ts'
import { fstabEntries } from '../../src-shared/k3s/nvme-disk.ts'
import { emmcBootable, type Emmc } from './emmc-device.ts'
import { nvmeFileSystems, type NvmeDrive } from './nvme-drive.ts'
import type { VirtualK3s } from './virtual-k3s.ts'

/** Kernel modules the vendor kernel has (loadable or built in); modprobe refuses others. */
export const kernelModules = new Set([
  'iscsi_tcp',
  'libiscsi',
  'dm_crypt',
  'dm_mod',
  'overlay',
  'br_netfilter',
  'nf_conntrack',
  'ip_tables',
  'ip6_tables',
  'iptable_nat',
  'vxlan',
  'nbd',
  'rbd',
  'nvme_tcp',
  'wireguard',
])
export const kernelRelease = '6.1.115-vendor-rk35xx'
const sysrqTrigger = '/proc/sysrq-trigger'

export interface ExecOutcome {
  stdout: string
  stderr: string
  exitCode: number
}

export interface ArmbianDisk {
  fs: InMemoryFs
  nvme: NvmeDrive
  /** What the flash put on the eMMC besides the file system: partition table, boot loader. */
  emmc: Emmc
}

/** What the node does to its own power: the board acts a moment after the command answered. */
export interface PowerControl {
  reboot(): void
  powerOff(): void
}

export class ArmbianSystem {
  readonly disk: ArmbianDisk
  readonly address: string
  readonly power: PowerControl
  readonly k3s: VirtualK3s
  /** Called once the eMMC can no longer boot (a wipe took its boot loader or partition table). */
  readonly #onEmmcErased: () => void
  readonly active = new Set<string>()
  readonly failed = new Map<string, string>()
  readonly journals = new Map<string, string[]>()
  readonly modules = new Set<string>()
  /** Device → mount point. */
  readonly mounts = new Map<string, string>()
  readonly #shells = new Map<string, Bash>()
  readonly #commands = armbianCommands(this)
  /** The host name journal lines carry, as of the last unit start. */
  #journalHost = 'localhost'
  #emmcErased = false
  /** Units being started or stopped, so `systemctl start` waits for what a --no-block one began. */
  #transitions = new Map<string, Promise<void>>()

  constructor(options: {
    disk: ArmbianDisk
    address: string
    power: PowerControl
    k3s: VirtualK3s
    onEmmcErased: () => void
  }) {
    this.disk = options.disk
    this.address = options.address
    this.power = options.power
    this.k3s = options.k3s
    this.#onEmmcErased = options.onEmmcErased
  }

  /**
   * The shell of one user: just-bash hands the environment it was made with to every nested shell
   * (`timeout … sh -c` included), which an environment given per command does not reach; so each
   * user has a shell of their own, all on the node's one file system.
   */
  shellFor(user: SystemUser): Bash {
    let shell = this.#shells.get(user.name)
    if (!shell) {
      shell = new Bash({
        fs: this.disk.fs,
        cwd: user.home,
        env: loginEnv(user),
        customCommands: this.#commands,
        processInfo: { uid: user.uid, gid: user.uid },
        // Its host-side guard patches globals (setTimeout, process) while a script runs, which
        // the SSH server and the Kubernetes client in this process must keep; nothing here runs
        // JavaScript from a script (python and js-exec stay off).
        defenseInDepth: false,
        executionLimits: { maxExecutionTimeMs: 15 * 60_000, maxCommandCount: 200_000 },
      })
      this.#shells.set(user.name, shell)
    }
    return shell
  }

  get fs(): InMemoryFs {
    return this.disk.fs
  }

  /** Power-on: modules from /etc/modules-load.d, the fstab's mounts, the enabled units. */
  async boot(): Promise<void> {
    await this.fs.mkdir('/proc', { recursive: true })
    await this.fs.writeFile(sysrqTrigger, '')
    await this.fs.rm('/sys/module', { recursive: true, force: true })
    await this.fs.mkdir('/sys/module', { recursive: true })
    for (const module of ['dm_mod', 'nvme_core']) await this.loadModule(module)
    for (const file of await this.#list('/etc/modules-load.d'))
      for (const line of ((await readText(this.fs, `/etc/modules-load.d/${file}`)) ?? '').split('\n')) {
        const module = line.trim()
        if (module && !module.startsWith('#') && kernelModules.has(module)) await this.loadModule(module)
      }
    await this.mountAll()
    for (const link of await this.#list(wantsDir)) {
      const unit = link.replace(/\.service$/, '')
      if (unit !== 'ssh') void this.startUnit(unit)
    }
    this.active.add('ssh')
  }

  /** Power went away: every unit stops (K3s nodes leave the loopback cluster). */
  async halt(): Promise<void> {
    await Promise.all(this.#transitions.values())
    for (const unit of [...this.active]) await this.stopUnit(unit)
    this.failed.clear()
    this.modules.clear()
    this.mounts.clear()
  }

  async hostname(): Promise<string> {
    return ((await readText(this.fs, '/etc/hostname')) ?? '').trim() || 'localhost'
  }

  /** Runs one command line as `user`, as `sh -c` would on the node. */
  async run(user: SystemUser, command: string, stdin: string, signal?: AbortSignal): Promise<ExecOutcome> {
    const result = await this.shellFor(user).exec(command, {
      stdin,
      cwd: user.home,
      rawScript: true,
      ...(signal ? { signal } : {}),
    })
    await this.#sysrq()
    return {
      stdout: result.stdout,
      // dash's wording, as Debian's /bin/sh reports a missing command.
      stderr: result.stderr.replace(/^bash: ([^:\n]+): command not found$/gm, 'sh: 1: $1: not found'),
      exitCode: result.exitCode,
    }
  }

  /**
   * What a command wrote to /proc/sysrq-trigger, acted on once it returned (a redirection reaches
   * no custom command): "o" powers off at once, "b" reboots; "u" (remount read-only) leaves
   * nothing to do on a file system kept in memory.
   */
  async #sysrq(): Promise<void> {
    const written = (await readText(this.fs, sysrqTrigger)) ?? ''
    if (!written) return
    await this.fs.writeFile(sysrqTrigger, '')
    if (written.includes('o')) this.power.powerOff()
    else if (written.includes('b')) this.power.reboot()
  }

  /** After a write to the eMMC: tells the board once the slot no longer holds a bootable image. */
  emmcWritten(): void {
    if (!this.#emmcErased && !emmcBootable(this.disk.emmc)) {
      this.#emmcErased = true
      this.#onEmmcErased()
    }
  }

  async user(name: string): Promise<SystemUser | undefined> {
    return systemUser(this.fs, name)
  }

  async passwordOk(user: string, password: string): Promise<boolean> {
    return checkPassword(this.fs, user, password)
  }

  // ---- packages

  async installedPackages(): Promise<Map<string, string>> {
    const status = (await readText(this.fs, dpkgStatusPath)) ?? ''
    const packages = new Map<string, string>()
    for (const stanza of status.split(/\n\n+/)) {
      const name = /^Package: (.+)$/m.exec(stanza)?.[1]
      if (name && /^Status: install ok installed$/m.test(stanza))
        packages.set(name, /^Version: (.+)$/m.exec(stanza)?.[1] ?? '')
    }
    return packages
  }

  async packageInstalled(name: string): Promise<boolean> {
    return (await this.installedPackages()).has(name)
  }

  // ---- kernel modules

  async loadModule(name: string): Promise<void> {
    this.modules.add(name)
    await this.fs.mkdir(`/sys/module/${name}`, { recursive: true })
  }

  // ---- units

  async unitFile(unit: string): Promise<string | undefined> {
    for (const dir of [unitDir, packageUnitDir])
      if (await this.fs.exists(`${dir}/${unit}.service`)) return `${dir}/${unit}.service`
    return undefined
  }

  async unitEnabled(unit: string): Promise<boolean> {
    return this.fs.exists(`${wantsDir}/${unit}.service`)
  }

  async setEnabled(unit: string, enabled: boolean): Promise<void> {
    const link = `${wantsDir}/${unit}.service`
    if (enabled) {
      await this.fs.mkdir(wantsDir, { recursive: true })
      await this.fs.writeFile(link, `${(await this.unitFile(unit)) ?? ''}\n`)
    } else await this.fs.rm(link, { force: true })
  }

  journal(unit: string, line: string): void {
    const lines = this.journals.get(unit) ?? []
    const stamp = new Date().toUTCString().slice(5, 25)
    lines.push(`${stamp} ${this.#journalHost} ${unit}[${1000 + lines.length}]: ${line}`)
    this.journals.set(unit, lines.slice(-200))
  }

  /** Whether a start or restart of the unit is under way (systemd's `activating`). */
  starting(unit: string): boolean {
    return this.#transitions.has(unit)
  }

  /** Starts the unit (a restart when it runs); resolves once it is active or has failed. */
  startUnit(unit: string, restart = false): Promise<void> {
    const previous = this.#transitions.get(unit) ?? Promise.resolve()
    // Never rejects: whatever goes wrong fails the unit, as systemd records it.
    const next = previous.then(async () => {
      let failure: string | undefined
      try {
        this.#journalHost = await this.hostname()
        if (this.active.has(unit)) {
          if (!restart) return
          await this.#stop(unit, true)
        }
        this.failed.delete(unit)
        failure = await this.k3s.start(unit)
      } catch (error) {
        failure = `${unit}.service: ${error instanceof Error ? error.message : String(error)}`
      }
      if (failure === undefined) {
        this.active.add(unit)
        this.journal(unit, `Started ${unit}.service.`)
      } else {
        this.failed.set(unit, failure)
        for (const line of failure.split('\n')) this.journal(unit, line)
        this.journal(unit, `${unit}.service: Failed with result 'exit-code'.`)
      }
    })
    this.#transitions.set(unit, next)
    void next.then(() => {
      if (this.#transitions.get(unit) === next) this.#transitions.delete(unit)
    })
    return next
  }

  async stopUnit(unit: string): Promise<void> {
    await this.#transitions.get(unit)
    this.failed.delete(unit)
    if (this.active.has(unit)) await this.#stop(unit)
  }

  async #stop(unit: string, restarting = false): Promise<void> {
    this.active.delete(unit)
    await this.k3s.stop(unit, restarting)
    this.journal(unit, `Stopped ${unit}.service.`)
  }

  // ---- mounts

  /** `mount -a` at boot: the fstab's NVMe entries (`nofail`: a missing one is skipped). */
  async mountAll(): Promise<void> {
    for (const entry of fstabEntries((await readText(this.fs, '/etc/fstab')) ?? '')) {
      if (!entry.target.startsWith('/') || entry.target === '/') continue
      const device = this.deviceFor(entry.source)
      if (device && !this.mounts.has(device) && (await this.fs.exists(entry.target)))
        this.mounts.set(device, entry.target)
    }
  }

  /** The NVMe device a fstab source (UUID=…, LABEL=… or a path) names. */
  deviceFor(source: string): string | undefined {
    const all = nvmeFileSystems(this.disk.nvme)
    if (source.startsWith('UUID=')) return all.find((f) => f.fs.uuid === source.slice(5))?.device
    if (source.startsWith('LABEL=')) return all.find((f) => f.fs.label === source.slice(6))?.device
    return all.find((f) => f.device === source)?.device
  }

  async #list(dir: string): Promise<string[]> {
    try {
      return (await this.fs.readdir(dir)).sort()
    } catch {
      return []
    }
  }
}

export function loginEnv(user: SystemUser): Record<string, string> {
  return {
    HOME: user.home,
    USER: user.name,
    LOGNAME: user.name,
    SHELL: '/bin/bash',
    LANG: 'C.UTF-8',
    PATH:
      user.uid === 0
        ? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
        : '/usr/local/bin:/usr/bin:/bin:/usr/games',
  }
}
