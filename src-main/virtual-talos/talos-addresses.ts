// The loopback address of each virtual Talos node: 127.0.0.N with N from 11, one per board node,
// never shared between boards of this process or of others. A small listener on the address
// (port 50009) is held for the board's lifetime, so that others skip the address while the node
// is off and its API port closed, as a powered-off node's is.
import { createServer, type Server } from 'node:net'
import { talosApiPort } from './talos-fleet.ts'

const reservationPort = 50009
const firstHost = 11
const lastHost = 254

export interface AddressReservation {
  address: string
  release(): Promise<void>
}

/** The next free 127.0.0.N; refuses clearly where the system has only 127.0.0.1 (macOS). */
export async function reserveTalosAddress(): Promise<AddressReservation> {
  for (let host = firstHost; host <= lastHost; host++) {
    const address = `127.0.0.${host}`
    const reserved = await listen(address, reservationPort)
    if (reserved === 'EADDRNOTAVAIL')
      throw new Error(
        `${address} is not a local address on this system, so virtual Talos nodes cannot listen there (on macOS add it with: sudo ifconfig lo0 alias ${address} up)`,
      )
    if (typeof reserved === 'string') continue
    // Something else on the API port (a leftover process) would keep the node from serving.
    const probe = await listen(address, talosApiPort)
    if (typeof probe === 'string') {
      await close(reserved)
      continue
    }
    await close(probe)
    reserved.unref()
    return { address, release: () => close(reserved) }
  }
  throw new Error(`no free loopback address left for a virtual Talos node (127.0.0.${firstHost}–${lastHost})`)
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
