// A local HTTP server imitating the Talos Image Factory's documented API (talos.md §1.1, §1.5):
// POST /schematics answers 201 {id, schematic} with the ID computed the factory's way (decode, then
// hash the canonical YAML), GET /versions and the per-version extension and overlay lists, and the
// factory's errors: plain text with a newline, 400 for a schematic it cannot decode, 404 for unknown
// versions and routes. It can also fail (500), hang, or answer with a different ID.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseSchematicText } from '../../src-main/images/schematic-file.ts'
import { canonicalSchematic, sha256Hex } from '../../src-shared/talos/schematic.ts'

export type FactoryBehaviour = 'normal' | 'error-500' | 'hang' | 'wrong-id'

export interface FakeImageFactory {
  url: string
  behaviour: FactoryBehaviour
  /** Every request as "METHOD /path". */
  requests: string[]
  close(): Promise<void>
}

export const fakeVersions = ['v1.8.3', 'v1.9.0-beta.0', 'v1.9.2', 'v1.10.0-alpha.1', 'v1.12.3', 'v1.9.1']

const extensions = [
  {
    name: 'siderolabs/iscsi-tools',
    ref: 'ghcr.io/siderolabs/iscsi-tools:v0.1.6',
    digest: 'sha256:1111',
    author: 'Sidero Labs',
    description: 'iSCSI tools',
  },
  {
    name: 'siderolabs/util-linux-tools',
    ref: 'ghcr.io/siderolabs/util-linux-tools:2.40.2',
    digest: 'sha256:2222',
    author: 'Sidero Labs',
    description: 'util-linux tools',
  },
  {
    name: 'siderolabs/nfs-utils',
    ref: 'ghcr.io/siderolabs/nfs-utils:2.6.4',
    digest: 'sha256:3333',
    author: 'Sidero Labs',
    description: '',
  },
]
const overlays = [
  {
    name: 'turingrk1',
    image: 'siderolabs/sbc-rockchip',
    ref: 'ghcr.io/siderolabs/sbc-rockchip:v0.1.0',
    digest: 'sha256:4444',
  },
  {
    name: 'rpi_generic',
    image: 'siderolabs/sbc-raspberrypi',
    ref: 'ghcr.io/siderolabs/sbc-raspberrypi:v0.1.0',
    digest: 'sha256:5555',
  },
]

export async function startFakeImageFactory(
  behaviour: FactoryBehaviour = 'normal',
): Promise<FakeImageFactory> {
  const state = { behaviour, requests: [] as string[] }
  const hanging = new Set<ServerResponse>()
  const server: Server = createServer((req, res) => {
    state.requests.push(`${req.method} ${req.url}`)
    res.setHeader('server', 'fake-image-factory')
    res.setHeader('x-request-id', String(state.requests.length))
    void handle(state, req, res, hanging)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    get behaviour() {
      return state.behaviour
    },
    set behaviour(value: FactoryBehaviour) {
      state.behaviour = value
    },
    requests: state.requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function text(res: ServerResponse, status: number, body: string): void {
  // Go's http.Error: plain text and a newline.
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' })
  res.end(`${body}\n`)
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

async function handle(
  state: { behaviour: FactoryBehaviour },
  req: IncomingMessage,
  res: ServerResponse,
  hanging: Set<ServerResponse>,
): Promise<void> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  if (state.behaviour === 'hang') {
    hanging.add(res)
    return
  }
  if (state.behaviour === 'error-500') return text(res, 500, 'internal server error')
  const path = new URL(req.url ?? '/', 'http://factory').pathname
  if (req.method === 'GET' && path === '/versions') return json(res, 200, fakeVersions)
  const list = /^\/version\/v?([^/]+)\/(extensions|overlays)\/official$/.exec(path)
  if (req.method === 'GET' && list) {
    if (!fakeVersions.includes(`v${list[1]}`)) return text(res, 404, 'not found')
    return json(res, 200, list[2] === 'extensions' ? extensions : overlays)
  }
  if (req.method === 'POST' && path === '/schematics') {
    let canonical: string
    try {
      canonical = canonicalSchematic(
        parseSchematicText(Buffer.concat(chunks).toString('utf8'), 'body').schematic,
      ).yaml
    } catch (error) {
      // The real factory passes go-yaml's own words through; ours are close enough for the client.
      return text(res, 400, `yaml: unmarshal errors:\n  ${(error as Error).message.replace(/^body: /, '')}`)
    }
    const id = await sha256Hex(state.behaviour === 'wrong-id' ? `${canonical}#` : canonical)
    return json(res, 201, { id, schematic: canonical })
  }
  return text(res, 404, '404 page not found')
}
