// The BMC's serial console WebSocket (FW 2.1, turingpi-bmc-api.md §5.2): binary frames of raw serial
// bytes both ways. The TLS connection is made and its certificate checked against the trusted
// fingerprint first (as pinned-tls.ts does for HTTP); only then does `ws` write the upgrade request,
// with its Authorization header, on that socket.
import { connect as tlsConnect, type TLSSocket } from 'node:tls'
import WebSocket from 'ws'
import type { NodeNumber } from '../../src-shared/bmc/node-number.ts'
import { AppError } from '../../src-shared/contract/app-error.ts'
import type { BmcConnection } from './bmc-client.ts'
import { certificateChanged, unreachable } from './pinned-tls.ts'

export interface SerialSocketOptions {
  connection: BmcConnection
  node: NodeNumber
  timeoutMs: number
}

export async function openSerialSocket({
  connection,
  node,
  timeoutMs,
}: SerialSocketOptions): Promise<WebSocket> {
  const socket = await pinnedSocket(connection, timeoutMs)
  const url = new URL(`/api/bmc/serial/ws?node=${node - 1}`, connection.url)
  url.protocol = 'wss:'
  // Basic rather than a bearer token: the socket lives for as long as the console is open, longer
  // than a token may, and bmcd checks it once, at the upgrade. The client has already logged in
  // with the same credentials, so a refused password never reaches this point.
  const basic = Buffer.from(`${connection.username}:${connection.password}`).toString('base64')
  const ws = new WebSocket(url, {
    headers: { authorization: `Basic ${basic}` },
    createConnection: () => socket,
    handshakeTimeout: timeoutMs,
    perMessageDeflate: false,
  })
  return new Promise((resolve, reject) => {
    const fail = (error: AppError) => {
      ws.removeAllListeners('open')
      ws.terminate()
      reject(error)
    }
    ws.once('open', () => {
      ws.removeAllListeners('unexpected-response')
      ws.removeAllListeners('error')
      resolve(ws)
    })
    ws.once('unexpected-response', (_request, response) => {
      let text = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (text += chunk))
      response.on('end', () =>
        fail(
          new AppError(
            response.statusCode === 401 ? 'bmc_auth_failed' : 'bmc_error',
            `The BMC of ${connection.label} refused the serial console of node ${node}: ${text.trim() || `HTTP ${response.statusCode}`}.`,
            response.statusCode === 500
              ? "The BMC's serial service is not running; restart the BMC."
              : 'The console falls back to reading the BMC’s buffer once a second.',
          ),
        ),
      )
    })
    ws.once('error', (error) => fail(unreachable(connection.url, error.message)))
  })
}

function pinnedSocket(connection: BmcConnection, timeoutMs: number): Promise<TLSSocket> {
  const url = new URL(connection.url)
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || 443),
      rejectUnauthorized: false,
      timeout: timeoutMs,
      ALPNProtocols: ['http/1.1'],
    })
    socket.once('secureConnect', () => {
      socket.setTimeout(0)
      socket.removeAllListeners('error')
      const actual = socket.getPeerCertificate().fingerprint256
      if (actual !== connection.fingerprint) {
        socket.destroy()
        return reject(certificateChanged(connection.label, connection.fingerprint, actual ?? 'none'))
      }
      resolve(socket)
    })
    socket.once('timeout', () => {
      socket.destroy()
      reject(unreachable(connection.url, `no TLS answer within ${timeoutMs / 1000} s`))
    })
    socket.once('error', (error) => reject(unreachable(connection.url, error.message)))
  })
}
