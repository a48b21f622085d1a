// Trust on first use for the BMC's self-signed certificate. bmcd's certificate has no SAN, the
// wrong name and expires after 30 days, so normal verification always fails; instead every
// connection checks that the leaf certificate's SHA-256 fingerprint is the one the user trusted.
// The check runs on the connected socket, before any request (and its credentials) is written.
import { connect as tlsConnect, type TLSSocket } from 'node:tls'
import { Agent, buildConnector } from 'undici'
import { AppError } from '../../src-shared/contract/app-error.ts'

export interface PinnedAgentOptions {
  /** The trusted fingerprint; the agent refuses every other certificate. */
  fingerprint: string
  connectTimeoutMs: number
  boardLabel: string
}

export function createPinnedAgent({ fingerprint, connectTimeoutMs, boardLabel }: PinnedAgentOptions): Agent {
  // No TLS session cache: a resumed session would skip the certificate we need to look at.
  const connector = buildConnector({
    rejectUnauthorized: false,
    maxCachedSessions: 0,
    timeout: connectTimeoutMs,
  })
  return new Agent({
    connect(options, callback) {
      connector(options, (error, socket) => {
        if (error) return callback(error, null)
        const actual = (socket as TLSSocket).getPeerCertificate().fingerprint256
        if (actual !== fingerprint) {
          socket.destroy()
          return callback(certificateChanged(boardLabel, fingerprint, actual ?? 'none'), null)
        }
        callback(null, socket)
      })
    },
    // Every HTTP/1.1 connection the BMC keeps alive is one of its two worker threads; stay modest.
    connections: 4,
  })
}

export function certificateChanged(boardLabel: string, expected: string, actual: string): AppError {
  return new AppError(
    'bmc_certificate_changed',
    `The BMC of ${boardLabel} presented a different certificate than the one you trusted (trusted ${expected}, now ${actual}).`,
    'This happens after a BMC firmware upgrade or SD card reinstall, or when someone else answers at that address. If you expect the change, trust the new certificate; otherwise check the network.',
    { expected, actual },
  )
}

/** Connects once to read the certificate's fingerprint, for trust on first use. Sends nothing. */
export function probeCertificate(baseUrl: string, timeoutMs: number): Promise<string> {
  const url = new URL(baseUrl)
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || 443),
      rejectUnauthorized: false,
      timeout: timeoutMs,
    })
    socket.once('secureConnect', () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256
      socket.end()
      resolve(fingerprint)
    })
    socket.once('timeout', () => {
      socket.destroy()
      reject(unreachable(baseUrl, `no TLS answer within ${timeoutMs / 1000} s`))
    })
    socket.once('error', (error) => reject(unreachable(baseUrl, error.message)))
  })
}

export function unreachable(baseUrl: string, reason: string, hint?: string): AppError {
  return new AppError(
    'bmc_unreachable',
    `Could not reach the BMC at ${baseUrl}: ${reason}.`,
    hint ??
      'Check that the board is powered, that this computer is on the same network, and the address (the BMC answers on HTTPS port 443).',
  )
}
