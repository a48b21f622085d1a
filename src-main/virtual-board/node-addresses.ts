// The loopback address of each virtual board node: 127.0.0.N with N from 11, one per board node
// whatever it boots (the Talos API and a virtual Armbian node's SSH listen there), never shared
// between boards of this process or of others. A small listener on the address (port 50009) is
// held for the board's lifetime, so that others skip the address while the node is off and its
// ports closed, as a powered-off node's are.
import { createServer, type Server } from 'node:net'
import { armbianSshPort } from '../virtual-armbian/armbian-sshd.ts'
import { talosApiPort } from '../virtual-talos/talos-fleet.ts'

const reservationPort = 50009
const firstHost = 11
const lastHost = 254
/** What a node serves on its address: the Talos API, or a virtual Armbian node's SSH. */
export const nodeServicePorts = [talosApiPort, armbianSshPort]

export interface AddressReservation {
  address: string
  release(): Promise<void>
}

/**
 * The next free 127.0.0.N whose service ports are free too; refuses clearly where the system has
 * only 127.0.0.1 (macOS).
 */
export async function reserveNodeAddress(ports = nodeServicePorts): Promise<AddressReservation> {
  for (let host = firstHost; host <= lastHost; host++) {
    const address = `127.0.0.${host}`
    const reserved = await listen(address, reservationPort)
    if (reserved === 'EADDRNOTAVAIL')
      throw new Error(
        `${address} is not a local address on this system, so virtual nodes cannot listen there (on macOS add it with: sudo ifconfig lo0 alias ${address} up)`,
      )
    if (typeof reserved === 'string') continue
    // Something else on a service port (a leftover process) would keep the node from serving.
    if (!(await portsFree(address, ports))) {
      await close(reserved)
      continue
    }
    reserved.unref()
    return { address, release: () => close(reserved) }
  }
  throw new Error(`no free loopback address left for a virtual node (127.0.0.${firstHost}–${lastHost})`)
}

/** Each board node's address, reserved when it first boots and kept until the board closes. */
export class NodeAddresses {
  readonly #reservations = new Map<number, Promise<AddressReservation>>()

  /** Rejects when no address can be had; the next boot tries again. */
  async address(index: number): Promise<string> {
    let reservation = this.#reservations.get(index)
    if (!reservation) {
      reservation = reserveNodeAddress()
      this.#reservations.set(index, reservation)
    }
    try {
      return (await reservation).address
    } catch (error) {
      if (this.#reservations.get(index) === reservation) this.#reservations.delete(index)
      throw error
    }
  }

  async close(): Promise<void> {
    const reservations = [...this.#reservations.values()]
    this.#reservations.clear()
    for (const reservation of reservations) await (await reservation.catch(() => undefined))?.release()
  }
}

async function portsFree(address: string, ports: number[]): Promise<boolean> {
  for (const port of ports) {
    const probe = await listen(address, port)
    if (typeof probe === 'string') return false
    await close(probe)
  }
  return true
}

/** The listening server, or the error code that kept it from listening. */
function listen(address: string, port: number): Promise<Server | string> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'EUNKNOWN'))
    server.listen(port, address, () => resolve(server))
  })
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()))
}
