// What the user reads when a flash or a BMC call goes wrong, on both firmware versions, against the
// virtual board over HTTPS: the cause named as it is — a BMC reboot asked for in the app, the BMC's
// 10 s upload window, a wrong password for a BMC given by address, the user's own Ctrl-C — and
// never a doubled "The BMC of the BMC at".
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { BmcClient } from '../../src-main/bmc/bmc-client.ts'
import { createAppCore } from '../../src-main/core/app-core.ts'
import type { PreparedImage } from '../../src-main/flash/flash-run.ts'
import type { FlashJob } from '../../src-shared/flash/flash-schemas.ts'
import { imageBytes, writeImage } from '../support/make-image.ts'
import { MemorySecretStore } from '../support/memory-secret-store.ts'
import { runCli } from '../support/run-cli.ts'
import { runFlashFor } from '../support/run-flash.ts'
import { makeTempDir } from '../support/temp-dir.ts'
import { clientFor, closeAll, firmwares, saveBoard, startBoard, waitFor } from '../support/virtual-bmc.ts'

const bin = fileURLToPath(new URL('../../bin/clusterdeck.js', import.meta.url))
const mib = 1024 * 1024
let dir: ReturnType<typeof makeTempDir>
let image: PreparedImage
beforeAll(() => {
  dir = makeTempDir()
  const bytes = imageBytes(4 * mib, 29)
  image = {
    path: writeImage(join(dir.path, 'disk.img'), bytes),
    name: 'disk.img',
    sizeBytes: bytes.length,
    sha256: null,
  }
})
afterAll(() => dir.remove())
afterEach(() => closeAll())

const isTransferring = (status: unknown) =>
  typeof status === 'object' && status !== null && 'Transferring' in status

describe.each(firmwares)('flash and BMC messages on firmware %s', (firmware) => {
  it('says the BMC was rebooted from Clusterdeck when the app reboots it during a flash', async () => {
    const board = await startBoard({ firmware, writeSpeedBytesPerSecond: 2 * mib })
    const core = createAppCore({
      dataDir: join(dir.path, `core-${firmware}`),
      secrets: new MemorySecretStore(),
      transport: 'cli',
      flashPollIntervalMs: 100,
    })
    try {
      const boardId = (await saveBoard(core, board, 'rack')).id
      const started = await core.dispatch('flash.start', {
        boardId,
        node: 1,
        image: { kind: 'file', path: image.path },
      })
      if (!started.ok) throw new Error(started.error.message)
      await waitFor(() => isTransferring(board.state.snapshot().transfer.status))
      expect((await core.dispatch('bmc.reboot', { boardId })).ok).toBe(true)
      await core.flash.idle()
      const job = core.flash.list().find((j) => j.id === (started.value as FlashJob).id)!
      expect(job.phase).toBe('failed')
      expect(job.message).toMatch(/The BMC was rebooted from Clusterdeck/)
      expect(job.message).not.toMatch(/Check the connection|network/i)
    } finally {
      await core.close()
    }
  })

  it("explains the BMC's 10 s upload window on a Send timeout", async () => {
    const board = await startBoard({ firmware, uploadWindowMs: 50 })
    const client = clientFor(board)
    // A client whose upload starts too late (a stalled disk, a busy machine).
    const late = Object.create(client) as BmcClient
    late.upload = async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 150))
      return client.upload(...args)
    }
    const run = await runFlashFor(late, image, { pollIntervalMs: 50 })
    expect(run.error?.message).toMatch(
      /"Send timeout": the upload did not begin within the 10 s the BMC allows/,
    )
  })

  it('names a BMC given by address once, and says how to pass its password', async () => {
    const board = await startBoard({ firmware })
    const env = { CLUSTERDECK_HOME: join(dir.path, `home-${firmware}`) }
    const base = ['bmc', '--bmc', board.url, '--fingerprint', board.fingerprint256]
    const refused = await runCli([...base, 'info'], { env: { ...env, CLUSTERDECK_BMC_PASSWORD: 'wrong' } })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`The BMC of ${board.url} refused the user "root"`)
    expect(refused.stderr).not.toMatch(/of the BMC at|this board/)
    expect(refused.stderr).toMatch(/--password-stdin, or in CLUSTERDECK_BMC_PASSWORD/)
  })

  it('reports a Ctrl-C during a flash as a cancel, not as an error to fix, and cancels the transfer', async () => {
    const board = await startBoard({ firmware, writeSpeedBytesPerSecond: mib })
    const child = spawn(
      process.execPath,
      [
        bin,
        'bmc',
        '--bmc',
        board.url,
        '--fingerprint',
        board.fingerprint256,
        'flash',
        '--node',
        '1',
        image.path,
        '--yes',
      ],
      {
        env: {
          ...process.env,
          CLUSTERDECK_HOME: join(dir.path, `ctrl-c-${firmware}`),
          CLUSTERDECK_BMC_PASSWORD: 'turing',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    )
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    await waitFor(() => isTransferring(board.state.snapshot().transfer.status), 30_000)
    child.kill('SIGINT')
    expect(await exited).toBe(1)
    expect(stderr).toMatch(/Flash of node 1 cancelled during writing/)
    expect(stderr).not.toMatch(/Fix the cause|failed/i)
    expect(board.state.snapshot().transfer.status).toEqual({ Error: 'cancelled by user' })
  })
})
