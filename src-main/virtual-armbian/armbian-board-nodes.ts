// The Armbian side of a virtual board's nodes: per board node, the file system an Armbian image
// left (ArmbianDisk: made at the first boot after a flash, kept across power cycles, dropped when
// another image is flashed), its NVMe drive (hardware: kept across flashes too) and, while it has
// power, its system and SSH server on the board node's loopback address (NodeAddresses). After
// the kernel's part of the boot log it prints where its SSH answers, then Armbian's login prompt.
// A wipe of its eMMC (docs/destroy.md) tells the board, which then boots nothing in the slot.
// The board calls boot/halt/forget; `shutdown` and `reboot` call back into the board for power.
import { setTimeout as sleep } from 'node:timers/promises'
import type { InMemoryFs } from 'just-bash'
import { virtualSshLine } from '../../src-shared/k3s/ssh-endpoint.ts'
import { generateClusterKey } from '../ssh/cluster-key.ts'
import { publicKeyFingerprint } from '../ssh/host-keys.ts'
import type { NodeAddresses } from '../virtual-board/node-addresses.ts'
import type { VirtualTalosBackends } from '../virtual-talos/virtual-talos-backends.ts'
import { addUser, osPrettyName, readText, seedArmbianFs } from './armbian-disk.ts'
import { armbianSshPort, startArmbianSshd, type ArmbianSshd } from './armbian-sshd.ts'
import type { ArmbianDisk, ArmbianSystem } from './armbian-system.ts'
import { flashedEmmc } from './emmc-device.ts'
import { blankNvme, nvmeFromLayout, type NvmeLayout } from './nvme-drive.ts'
import { VirtualK3s, type K3sRestoreRecord } from './virtual-k3s.ts'

/** What the board lends a booting node: its console and its power switch. */
export interface ArmbianNodeIo {
  /** Console text after the kernel log (CRLF line ends are the caller's). */
  print(text: string): void
  powerCycle(): void
  powerOff(): void
  /** A wipe left the eMMC without a bootable image: the slot boots nothing until flashed again. */
  bootDeviceErased(): void
}

const hostKeyPath = '/etc/ssh/ssh_host_ed25519_key'
/** How long after answering `reboot` or `shutdown` the node loses power. */
const powerActionDelayMs = 100

/** What a test may see and set of a virtual Armbian node that a real board would not show. */
export interface VirtualArmbianNodeHandle {
  address: string
  sshPort: number
  /** Undefined until the first boot after a flash made the host key. */
  hostKeyFingerprint: string | undefined
  running: boolean
  read(path: string): Promise<string | undefined>
  /** Installed packages (dpkg's status). */
  packages(): Promise<string[]>
  /** Units: enabled (in multi-user.target.wants), active and failed. */
  units(): Promise<{ enabled: string[]; active: string[]; failed: string[] }>
  /** Puts partitions or file systems on the NVMe drive, as a drive from elsewhere would hold. */
  setNvme(layout: NvmeLayout): void
  addUser(name: string, options: { password: string; sudo: 'none' | 'password' | 'nopasswd' }): Promise<void>
  /** Every run of the K3s install script on this board node since the board started, in order. */
  k3sInstalls(): ('server' | 'agent')[]
  /** Every datastore this board node's K3s was restored from since the board started, in order. */
  k3sRestoredFrom(): K3sRestoreRecord[]
}

interface Slot {
  disk: ArmbianDisk | undefined
  nvme: ArmbianDisk['nvme']
  address: string | undefined
  system: ArmbianSystem | undefined
  sshd: ArmbianSshd | undefined
  hostKeyFingerprint: string | undefined
  k3sInstalls: ('server' | 'agent')[]
  k3sRestores: K3sRestoreRecord[]
  /** Counts halts, so that a boot still waiting for its address does not outlive a power-off. */
  halts: number
  lifecycle: Promise<void>
}

export class ArmbianBoardNodes {
  readonly #addresses: NodeAddresses
  readonly #backends: VirtualTalosBackends
  readonly #slots = new Map<number, Slot>()
  #closed = false

  constructor(addresses: NodeAddresses, backends: VirtualTalosBackends = {}) {
    this.#addresses = addresses
    this.#backends = backends
  }

  #slot(index: number): Slot {
    let slot = this.#slots.get(index)
    if (!slot) {
      slot = {
        disk: undefined,
        nvme: blankNvme(),
        address: undefined,
        system: undefined,
        sshd: undefined,
        hostKeyFingerprint: undefined,
        k3sInstalls: [],
        k3sRestores: [],
        halts: 0,
        lifecycle: Promise.resolve(),
      }
      this.#slots.set(index, slot)
    }
    return slot
  }

  /** Power reached a node holding an Armbian image, and its kernel log is out. */
  boot(index: number, io: ArmbianNodeIo): Promise<void> {
    const slot = this.#slot(index)
    const halts = slot.halts
    slot.lifecycle = slot.lifecycle
      .then(() => this.#boot(index, slot, halts, io))
      .catch((error: unknown) => {
        io.print(
          `\r\nclusterdeck virtual node: could not start: ${error instanceof Error ? error.message : String(error)}\r\n`,
        )
      })
    return slot.lifecycle
  }

  async #boot(index: number, slot: Slot, halts: number, io: ArmbianNodeIo): Promise<void> {
    const address = await this.#addresses.address(index)
    if (this.#closed || slot.halts !== halts) return
    slot.address = address
    // The simulated shell loads with the first Armbian node: a board without one never needs it.
    const [{ InMemoryFs }, { ArmbianSystem }] = await Promise.all([
      import('just-bash'),
      import('./armbian-system.ts'),
    ])
    if (!slot.disk) {
      const fs = new InMemoryFs()
      await seedArmbianFs(fs)
      slot.disk = { fs, nvme: slot.nvme, emmc: flashedEmmc() }
    }
    const fs = slot.disk.fs
    const hostKey = await this.#hostKey(fs)
    slot.hostKeyFingerprint = hostKey.fingerprint
    const k3s = new VirtualK3s({
      address,
      backends: this.#backends,
      onInstall: (role) => slot.k3sInstalls.push(role),
      onRestore: (restore) => slot.k3sRestores.push(restore),
    })
    const system = new ArmbianSystem({
      disk: slot.disk,
      address,
      k3s,
      power: {
        reboot: () => void sleep(powerActionDelayMs).then(() => io.powerCycle()),
        powerOff: () => void sleep(powerActionDelayMs).then(() => io.powerOff()),
      },
      onEmmcErased: () => io.bootDeviceErased(),
    })
    k3s.attach(system)
    await system.boot()
    if (slot.halts !== halts) return void (await system.halt())
    slot.system = system
    slot.sshd = await startArmbianSshd(system, hostKey.privateKey)
    if (slot.halts !== halts) return this.#halt(slot)
    const hostname = await system.hostname()
    io.print(
      `${virtualSshLine(address, armbianSshPort)}\r\n\r\n${osPrettyName} ttyS2\r\n\r\n${hostname} login: `,
    )
  }

  /** The host key sshd made at its first start after the flash (ssh-keygen -A). */
  async #hostKey(fs: InMemoryFs): Promise<{ privateKey: string; fingerprint: string }> {
    const existing = await readText(fs, hostKeyPath)
    const publicKey = await readText(fs, `${hostKeyPath}.pub`)
    if (existing && publicKey) return { privateKey: existing, fingerprint: publicKeyFingerprint(publicKey) }
    // An ed25519 pair as the app makes its cluster keys.
    const pair = generateClusterKey('root@rk1')
    await fs.mkdir('/etc/ssh', { recursive: true })
    await fs.writeFile(hostKeyPath, pair.privateKey)
    await fs.chmod(hostKeyPath, 0o600)
    await fs.writeFile(`${hostKeyPath}.pub`, `${pair.publicKey}\n`)
    return pair
  }

  /** Power went away: sshd and every unit stop; the file system stays. */
  halt(index: number): Promise<void> {
    const slot = this.#slots.get(index)
    if (!slot) return Promise.resolve()
    slot.halts++
    // Power is gone whatever stopping the services met.
    slot.lifecycle = slot.lifecycle.then(() => this.#halt(slot)).catch(() => undefined)
    return slot.lifecycle
  }

  async #halt(slot: Slot): Promise<void> {
    const { sshd, system } = slot
    slot.sshd = undefined
    slot.system = undefined
    await sshd?.close()
    await system?.halt()
  }

  /** Another image was written, or the eMMC wiped: the file system (and with it the host key) is gone. */
  forget(index: number): void {
    const slot = this.#slots.get(index)
    if (!slot) return
    slot.disk = undefined
    slot.hostKeyFingerprint = undefined
  }

  node(index: number): VirtualArmbianNodeHandle | undefined {
    const slot = this.#slots.get(index)
    if (!slot?.address) return undefined
    const disk = () => slot.disk
    return {
      address: slot.address,
      sshPort: armbianSshPort,
      hostKeyFingerprint: slot.hostKeyFingerprint,
      running: slot.sshd !== undefined,
      read: async (path) => {
        const fs = disk()?.fs
        return fs ? readText(fs, path) : undefined
      },
      packages: async () => [...((await slot.system?.installedPackages()) ?? new Map()).keys()].sort(),
      units: async () => {
        const fs = disk()?.fs
        const enabled = fs
          ? (await fs.readdir('/etc/systemd/system/multi-user.target.wants').catch(() => [])).map((u) =>
              u.replace(/\.service$/, ''),
            )
          : []
        return {
          enabled: enabled.sort(),
          active: [...(slot.system?.active ?? [])].sort(),
          failed: [...(slot.system?.failed.keys() ?? [])].sort(),
        }
      },
      setNvme: (layout) => {
        const drive = nvmeFromLayout(layout)
        Object.assign(slot.nvme, drive)
      },
      addUser: async (name, options) => {
        const fs = disk()?.fs
        if (!fs) throw new Error('the node has no Armbian file system yet: boot it first')
        await addUser(fs, name, options)
      },
      k3sInstalls: () => [...slot.k3sInstalls],
      k3sRestoredFrom: () => [...slot.k3sRestores],
    }
  }

  async close(): Promise<void> {
    this.#closed = true
    for (const slot of this.#slots.values()) {
      slot.halts++
      await slot.lifecycle
      await this.#halt(slot)
    }
  }
}
