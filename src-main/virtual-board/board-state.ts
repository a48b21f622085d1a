// The simulated hardware behind the API: node power (the persisted desired state the API reports
// and whether the node really runs), usbboot pins, the USB switch, node_info, fans, the serial
// ring buffers and what was flashed. It knows nothing about HTTP. A node that boots a Talos image
// hands over, after the kernel's part of the log, to its virtual Talos node (TalosBoardNodes),
// which prints the rest and serves the Talos API until the node loses power. One that boots an
// Armbian image it was flashed with hands over to its virtual Armbian node (ArmbianBoardNodes),
// which prints where its SSH answers and the login prompt, and serves SSH. A node whose eMMC was
// wiped boots nothing (its console says so) until it is flashed again.
import type { ArmbianBoardNodes } from '../virtual-armbian/armbian-board-nodes.ts'
import type { TalosBoardNodes } from '../virtual-talos/talos-board-nodes.ts'
import { bootLogForOneBoot, bootLogKindFor, kernelLine, loadBootLog, type BootLogKind } from './boot-logs.ts'
import type { VirtualBoardClock } from './clock.ts'
import { UartRingBuffer } from './uart-buffer.ts'

export const nodeCount = 4
/** What the console shows when a node's wiped eMMC holds no boot loader (the boot ROM falls back to maskrom). */
export const noBootableImage =
  'clusterdeck virtual node: no bootable image on the eMMC; flash the node to boot it'

export type UsbMode = 'Host' | 'Device' | 'Flash'
export type UsbRoute = 'AlternativePort' | 'Bmc'

export interface UsbConfig {
  mode: UsbMode
  /** 0-based node index. */
  node: number
  route: UsbRoute
}

/** What a flash left on a node's eMMC (or the BMC for a firmware upgrade). */
export interface FlashedImage {
  fileName: string
  /** The OS recognised in the image's first bytes; without it the file name decides. */
  os?: BootLogKind
  /** sha256 (hex) of the raw bytes written, i.e. after `.xz` decompression when that happened. */
  sha256: string
  bytesWritten: number
  verified: boolean
  outcome: 'done' | 'error' | 'cancelled'
  error?: string
}

export interface NodeInfo {
  name: string | null
  module_name: string | null
  uart_baud: number | null
}

export interface CoolingDevice {
  device: string
  speed: number
  max_speed: number
}

interface NodeState {
  desiredPower: boolean
  running: boolean
  poweredOnAt: number | undefined
  usbBoot: boolean
  info: NodeInfo
  uart: UartRingBuffer
  bootTimer: NodeJS.Timeout | undefined
  flashed: FlashedImage | undefined
  /** The eMMC was wiped since its last flash: power-on finds nothing to boot. */
  erased: boolean
}

export interface BoardStateOptions {
  clock: VirtualBoardClock
  bootDelayMs: number
  /** Runs the Talos API of nodes that boot a Talos image, after the kernel's boot log. */
  talos: TalosBoardNodes
  /** Runs the SSH server and shell of nodes that boot an Armbian image they were flashed with. */
  armbian: ArmbianBoardNodes
}

export class BoardState {
  readonly #options: BoardStateOptions
  readonly #nodes: NodeState[]
  #usb: UsbConfig = { mode: 'Device', node: 0, route: 'AlternativePort' }
  #node1AlternativePort = false
  readonly #cooling: CoolingDevice[] = [{ device: 'system fan', speed: 2, max_speed: 3 }]
  firmwareUpload: FlashedImage | undefined

  constructor(options: BoardStateOptions) {
    this.#options = options
    this.#nodes = Array.from({ length: nodeCount }, () => ({
      desiredPower: false,
      running: false,
      poweredOnAt: undefined,
      usbBoot: false,
      info: { name: null, module_name: null, uart_baud: null },
      uart: new UartRingBuffer(),
      bootTimer: undefined,
      flashed: undefined,
      erased: false,
    }))
  }

  #node(node: number): NodeState {
    const state = this.#nodes[node]
    if (!state) throw new RangeError(`node index ${node} is outside 0..${nodeCount - 1}`)
    return state
  }

  desiredPower(node: number): boolean {
    return this.#node(node).desiredPower
  }

  isRunning(node: number): boolean {
    return this.#node(node).running
  }

  /** `set power`: persisted, and the node really switches. */
  setPower(node: number, on: boolean): void {
    this.#node(node).desiredPower = on
    if (on) this.#startNode(node)
    else this.#stopNode(node)
  }

  /** `set reset`: a power cycle that leaves the persisted state alone (so `get power` can disagree). */
  resetNode(node: number): void {
    this.#stopNode(node)
    this.#startNode(node)
  }

  /** The start and the end of a flash: off and persisted off, usbboot pin dropped. */
  powerOffForFlash(node: number): void {
    this.setPower(node, false)
    this.#node(node).usbBoot = false
  }

  /** A BMC reboot: the nodes lose power until the BMC is back; their persisted state stays. */
  haltAll(): void {
    for (let node = 0; node < nodeCount; node++) this.#stopNode(node)
  }

  /** bmcd start: persisted power is re-applied, which restarts running nodes (bmcd#90). */
  reapplyPersistedPower(): void {
    for (let node = 0; node < nodeCount; node++) {
      if (this.#node(node).desiredPower) this.resetNode(node)
    }
  }

  #startNode(node: number): void {
    const state = this.#node(node)
    if (state.running) return
    state.running = true
    state.poweredOnAt = this.#options.clock.now()
    // A node in USB-boot mode waits for the BMC instead of booting from its eMMC.
    if (state.usbBoot) return
    if (state.erased) {
      state.bootTimer = setTimeout(() => {
        state.bootTimer = undefined
        state.uart.append(Buffer.from(`${noBootableImage}\r\n`))
      }, this.#options.bootDelayMs)
      state.bootTimer.unref()
      return
    }
    const flashed = state.flashed?.outcome === 'done' ? state.flashed : undefined
    const kind = flashed?.os ?? bootLogKindFor(flashed?.fileName)
    const log = bootLogForOneBoot(loadBootLog(kind))
    state.bootTimer = setTimeout(() => {
      state.bootTimer = undefined
      if (kind === 'armbian' && flashed) return this.#bootArmbian(node, log)
      state.uart.append(log)
      if (kind !== 'talos') return
      // The kernel printed its part (its last line ended); Talos then reports what it comes up as.
      state.uart.append(Buffer.from('\r\n'))
      const kernelDoneAt = this.#options.clock.now()
      void this.#options.talos.boot(node, flashed?.fileName ?? '', {
        print: (line) => state.uart.append(kernelLine(this.#options.clock.now() - kernelDoneAt, line)),
        powerCycle: () => this.resetNode(node),
        powerOff: () => this.setPower(node, false),
      })
    }, this.#options.bootDelayMs)
    state.bootTimer.unref()
  }

  /** The kernel and systemd part of the log; the virtual node prints its SSH line and the prompt. */
  #bootArmbian(node: number, log: Buffer): void {
    const state = this.#node(node)
    const text = log.toString('utf8')
    const banner = text.lastIndexOf('\r\n\r\nArmbian ')
    state.uart.append(Buffer.from(`${banner >= 0 ? text.slice(0, banner) : text}\r\n`))
    void this.#options.armbian.boot(node, {
      print: (output) => state.uart.append(Buffer.from(output)),
      powerCycle: () => this.resetNode(node),
      powerOff: () => this.setPower(node, false),
      bootDeviceErased: () => this.eraseBootDevice(node),
    })
  }

  #stopNode(node: number): void {
    const state = this.#node(node)
    clearTimeout(state.bootTimer)
    state.bootTimer = undefined
    state.running = false
    state.poweredOnAt = undefined
    void this.#options.talos.halt(node)
    void this.#options.armbian.halt(node)
  }

  /** Seconds since power-on, null when off (node_info's `power_on_time`). */
  powerOnTime(node: number): number | null {
    const { poweredOnAt } = this.#node(node)
    return poweredOnAt === undefined ? null : Math.floor((this.#options.clock.now() - poweredOnAt) / 1000)
  }

  usbBoot(node: number): boolean {
    return this.#node(node).usbBoot
  }

  setUsbBoot(node: number): void {
    this.#node(node).usbBoot = true
  }

  clearAllUsbBoot(): void {
    for (const state of this.#nodes) state.usbBoot = false
  }

  get usb(): UsbConfig {
    return { ...this.#usb }
  }

  /** Flash mode raises the node's usbboot pin; every other mode clears all of them. */
  setUsb(config: UsbConfig): void {
    this.#usb = { ...config }
    this.clearAllUsbBoot()
    if (config.mode === 'Flash') this.setUsbBoot(config.node)
  }

  get node1AlternativePort(): boolean {
    return this.#node1AlternativePort
  }

  set node1AlternativePort(value: boolean) {
    this.#node1AlternativePort = value
  }

  nodeInfo(node: number): NodeInfo {
    return { ...this.#node(node).info }
  }

  updateNodeInfo(node: number, update: Partial<NodeInfo>): void {
    Object.assign(this.#node(node).info, update)
  }

  get cooling(): CoolingDevice[] {
    return this.#cooling.map((device) => ({ ...device }))
  }

  /** Returns the failure cause, or undefined when the speed was set. */
  setCooling(device: string, speed: number): string | undefined {
    const found = this.#cooling.find((entry) => entry.device === device)
    if (!found) return `cooling device \`${device}\` does not exist`
    if (speed > found.max_speed)
      return `speed ${speed} exceeds the maximum ${found.max_speed} of \`${device}\``
    found.speed = speed
    return undefined
  }

  uart(node: number): UartRingBuffer {
    return this.#node(node).uart
  }

  /** `set uart`: the text plus CRLF goes to the node; a running shell echoes it back. */
  writeUart(node: number, text: string): void {
    const state = this.#node(node)
    if (state.running) state.uart.append(`${text}\r\n`)
  }

  clearUartBuffers(): void {
    for (const state of this.#nodes) state.uart.clear()
  }

  flashed(node: number): FlashedImage | undefined {
    const image = this.#node(node).flashed
    return image && { ...image }
  }

  recordFlash(node: number, image: FlashedImage): void {
    const state = this.#node(node)
    state.flashed = { ...image }
    state.erased = false
    this.#options.talos.forget(node)
    this.#options.armbian.forget(node)
  }

  /** A wipe from the running node took its image off the eMMC: nothing boots until the next flash. */
  eraseBootDevice(node: number): void {
    const state = this.#node(node)
    state.flashed = undefined
    state.erased = true
    this.#options.talos.forget(node)
    this.#options.armbian.forget(node)
  }

  dispose(): void {
    for (let node = 0; node < nodeCount; node++) clearTimeout(this.#node(node).bootTimer)
  }
}
