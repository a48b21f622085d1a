// A virtual node that boots a Talos image without a config serves Talos's maintenance API on its
// own loopback address, as the console says: the certificate it presents is the one whose
// fingerprint it printed, and an unauthenticated client gets what a real maintenance node gives
// it (only the config upload; the rest refused with Talos's words). A gRPC client stands in for
// talosctl here; tests/peers/virtual-talos-node.test.ts drives the real one.
import { credentials, makeGenericClientConstructor, Metadata, type Client } from '@grpc/grpc-js'
import { X509Certificate } from 'node:crypto'
import { connect } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { machineService } from '../../src-main/virtual-talos/talos-proto.ts'
import { spkiFingerprint } from '../../src-main/virtual-talos/talos-certs.ts'
import type { VirtualBoard } from '../../src-main/virtual-board/virtual-board-server.ts'
import { sha256, talosDiskImage } from '../support/make-image.ts'
import { closeAll, startBoard, waitFor } from '../support/virtual-bmc.ts'
import { api, isFinished, login, pollFlash, startFlash, upload } from './virtual-board-helpers.ts'

type Unary = (
  request: unknown,
  metadata: Metadata,
  callback: (error: unknown, response: unknown) => void,
) => void

let board: VirtualBoard
let address: string
let fingerprint: string
let client: Client & Record<string, Unary>

function call(method: string, request: unknown, metadata = new Metadata()) {
  return new Promise<{ error?: { code: number; details: string }; response?: unknown }>((resolve) =>
    client[method]!(request, metadata, (error, response) =>
      resolve(error ? { error: error as { code: number; details: string } } : { response }),
    ),
  )
}

beforeAll(async () => {
  board = await startBoard({ firmware: '2.1' })
  const token = await login(board)
  const image = talosDiskImage()
  const fileName = 'metal-arm64-v1.12.0.raw'
  const handle = await startFlash(
    board,
    token,
    `node=2&file=${fileName}&length=${image.length}&sha256=${sha256(image)}`,
  )
  const polling = pollFlash(board, token, isFinished, { intervalMs: 5 })
  await upload(board, token, handle, image, { fileName, chunkBytes: 1024 * 1024 })
  await polling
  await api(board, token, 'opt=set&type=power&node3=1')
  const console = await waitFor(
    () => board.state.uartText(2).includes('upload configuration') && board.state.uartText(2),
  )
  address = /\[talos\] \t(127\.0\.0\.\d+)\r\n/.exec(console)![1]!
  fingerprint = /"fingerprint": "([^"]+)"/.exec(console)![1]!
  const MachineService = makeGenericClientConstructor(machineService(), 'MachineService')
  client = new MachineService(
    `${address}:50000`,
    credentials.createSsl(null, null, null, {
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    }),
  ) as Client & Record<string, Unary>
})
afterAll(async () => {
  client?.close()
  await closeAll()
})

describe('a virtual Talos node in maintenance mode', () => {
  it('presents the certificate whose public-key fingerprint its console printed', async () => {
    const certificate = await new Promise<X509Certificate>((resolve, reject) => {
      const socket = connect(
        { host: address, port: 50000, servername: '', rejectUnauthorized: false, ALPNProtocols: ['h2'] },
        () => {
          resolve(new X509Certificate(socket.getPeerCertificate().raw))
          socket.end()
        },
      )
      socket.on('error', reject)
    })
    expect(spkiFingerprint(certificate.toString())).toBe(fingerprint)
    expect(board.talos.node(2)).toMatchObject({ address, mode: 'maintenance', version: 'v1.12.0' })
  })

  it('answers an unauthenticated client only with the config upload, as Talos does', async () => {
    expect((await call('Version', {})).error).toMatchObject({
      code: 12,
      details: 'API is not implemented in maintenance mode',
    })
    expect((await call('Bootstrap', {})).error).toMatchObject({
      code: 12,
      details: 'method Bootstrap not implemented',
    })
    expect((await call('ApplyConfiguration', { data: Buffer.from('machine: [') })).error).toMatchObject({
      code: 3,
      details: expect.stringMatching(/^failed to parse config: /),
    })
    expect(
      (await call('ApplyConfiguration', { data: Buffer.from('x: 1'), mode: 'STAGED' })).error,
    ).toMatchObject({
      code: 12,
      details: "apply configuration --mode='staged' is not supported in maintenance mode",
    })
  })

  it('forwards nothing to other nodes', async () => {
    const metadata = new Metadata()
    metadata.set('nodes', '127.0.0.250')
    expect((await call('ApplyConfiguration', { data: Buffer.from('x: 1') }, metadata)).error).toMatchObject({
      code: 7,
      details: 'no request forwarding',
    })
    expect(board.talos.node(2)?.mode).toBe('maintenance')
  })
})
