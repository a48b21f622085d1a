// A TCP relay between a client and a virtual board that can break a connection mid-stream, the
// way a network drop or a crashing BMC does: TLS passes through untouched, so certificate pinning
// still sees the board's certificate.
import { connect, createServer, type Socket } from 'node:net'

export interface CutProxy {
  url: string
  /** Breaks (both sides of) the next connection that carries more than `bytes` toward the board. */
  cutAfter(bytes: number): void
  /** How many connections were cut. */
  cuts(): number
  close(): Promise<void>
}

export async function startCutProxy(targetPort: number): Promise<CutProxy> {
  let cutAfter: number | undefined
  let cuts = 0
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1')
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => {})
      socket.on('close', () => sockets.delete(socket))
    }
    let forwarded = 0
    client.on('data', (chunk: Buffer) => {
      forwarded += chunk.length
      if (cutAfter !== undefined && forwarded > cutAfter) {
        cutAfter = undefined
        cuts++
        client.destroy()
        upstream.destroy()
        return
      }
      if (!upstream.write(chunk)) client.pause()
    })
    upstream.on('drain', () => client.resume())
    upstream.pipe(client)
    client.on('end', () => upstream.end())
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `https://127.0.0.1:${port}`,
    cutAfter(bytes) {
      cutAfter = bytes
    },
    cuts: () => cuts,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const socket of sockets) socket.destroy()
      await closed
    },
  }
}
