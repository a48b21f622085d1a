// A saved board whose BMC suddenly presents another certificate — after a firmware upgrade, or an
// impostor at its address — on both firmware versions, with the real CLI: --trust-on-first-use
// never swaps a stored fingerprint, and no credentials reach the other server. Needs the Secret
// Service (a saved board's password lives in the keychain), as `npm test` provides.
import { createServer, type Server } from 'node:https'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  certificateFingerprint256,
  createSelfSignedCertificate,
} from '../../src-main/virtual-board/certificate.ts'
import { imageBytes, writeImage } from '../support/make-image.ts'
import { runCli } from '../support/run-cli.ts'
import { makeTempDir } from '../support/temp-dir.ts'
import { closeAll, firmwares, startBoard } from '../support/virtual-bmc.ts'

interface Impostor {
  fingerprint: string
  /** Requests that carried a password or a session: a login, or any Authorization header. */
  credentialsSeen: number
  close(): Promise<void>
}

/** An HTTPS server with its own certificate on `port`, answering everything and noting credentials. */
async function startImpostor(port: number): Promise<Impostor> {
  const certificate = await createSelfSignedCertificate()
  const impostor = { fingerprint: certificateFingerprint256(certificate.cert), credentialsSeen: 0 }
  const server: Server = createServer({ cert: certificate.cert, key: certificate.key }, (req, res) => {
    if (req.headers.authorization || req.url?.includes('authenticate')) impostor.credentialsSeen++
    req.resume()
    res.end('{"id":"stolen"}')
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {
    ...impostor,
    get credentialsSeen() {
      return impostor.credentialsSeen
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

let dir: ReturnType<typeof makeTempDir>
let imagePath: string
beforeAll(() => {
  dir = makeTempDir()
  imagePath = writeImage(join(dir.path, 'node.img'), imageBytes(1024 * 1024, 3))
})
afterAll(async () => {
  await closeAll()
  dir.remove()
})

describe.each(firmwares)('a changed certificate on firmware %s', (firmware) => {
  it('is refused even with --trust-on-first-use, and no credentials reach the other server', async () => {
    const env = { CLUSTERDECK_HOME: join(dir.path, `home-${firmware}`), CLUSTERDECK_BMC_PASSWORD: '' }
    const board = await startBoard({ firmware })
    const name = `rack-${firmware.replace('.', '-')}`
    const added = await runCli(['board', 'add', name, '--address', board.url, '--password-stdin'], {
      env,
      stdin: board.credentials.password,
    })
    expect(added.code, added.stderr).toBe(0)
    const first = await runCli(['bmc', '--board', name, '--trust-on-first-use', 'info', '--json'], { env })
    expect(first.code, first.stderr).toBe(0)

    // Another server takes the board's address, with its own certificate.
    await board.close()
    const impostor = await startImpostor(board.port)
    try {
      const again = await runCli(['bmc', '--board', name, '--trust-on-first-use', 'info'], { env })
      expect(again.code).not.toBe(0)
      expect(again.stderr).toContain(board.fingerprint256)
      expect(again.stderr).toContain(impostor.fingerprint)
      expect(again.stderr).toMatch(/different certificate than the one you trusted/)
      expect(again.stderr).toContain(`--fingerprint ${impostor.fingerprint}`)
      expect(again.stderr).not.toMatch(/--trust-on-first-use/)

      const shown = await runCli(['board', 'show', name, '--json'], { env })
      expect(JSON.parse(shown.stdout).certificateSha256).toBe(board.fingerprint256)

      // A flash is refused the same way, with the flag that settles it.
      const flash = await runCli(['bmc', '--board', name, 'flash', '--node', '1', imagePath, '--yes'], {
        env,
      })
      expect(flash.code).not.toBe(0)
      expect(flash.stderr).toMatch(/different certificate than the one you trusted/)
      expect(flash.stderr).toContain(`--fingerprint ${impostor.fingerprint}`)

      expect(impostor.credentialsSeen).toBe(0)
    } finally {
      await impostor.close()
    }
  })
})
