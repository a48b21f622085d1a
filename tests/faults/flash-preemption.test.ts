// Another client's transfer pre-empting ours, on both firmware versions, against the virtual board
// over HTTPS. bmcd cancels our transfer silently and later reports `Done` for the other one, with
// no id: a flash must never take that `Done` for its own, and must stop uploading at once.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createAppCore } from '../../src-main/core/app-core.ts'
import type { PreparedImage } from '../../src-main/flash/flash-run.ts'
import { imageBytes, writeImage } from '../support/make-image.ts'
import { MemorySecretStore } from '../support/memory-secret-store.ts'
import { runCli } from '../support/run-cli.ts'
import { runFlashFor } from '../support/run-flash.ts'
import { makeTempDir } from '../support/temp-dir.ts'
import { clientFor, closeAll, firmwares, saveBoard, startBoard, waitFor } from '../support/virtual-bmc.ts'

const mib = 1024 * 1024
let dir: ReturnType<typeof makeTempDir>
let image: PreparedImage
beforeAll(() => {
  dir = makeTempDir()
  const bytes = imageBytes(2 * mib, 11)
  image = {
    path: writeImage(`${dir.path}/disk.img`, bytes),
    name: 'disk.img',
    sizeBytes: bytes.length,
    sha256: null,
  }
})
afterAll(() => dir.remove())
afterEach(() => closeAll())

describe.each(firmwares)('pre-emption on firmware %s', (firmware) => {
  it('fails, naming the other client, when a 1000-byte transfer pre-empts the read-back (5 tries)', async () => {
    // The production poll interval: the other transfer starts and ends between two polls.
    const board = await startBoard({
      firmware,
      writeSpeedBytesPerSecond: 16 * mib,
      verifySpeedBytesPerSecond: 4 * mib,
    })
    const client = clientFor(board)
    for (let attempt = 1; attempt <= 5; attempt++) {
      board.injectFault({ kind: 'preempt', during: 'verifying', afterMs: 150 })
      const run = await runFlashFor(client, image, { pollIntervalMs: 1000 })
      expect(run.result, `attempt ${attempt}`).toBeUndefined()
      expect(run.error?.code).toBe('bmc_busy')
      expect(run.error?.phase).toBe('verifying')
      expect(run.error?.message).toMatch(/another client started/i)
      // What the BMC really did: node 4 got the other client's 1000 bytes, ours was cancelled.
      await waitFor(() => 'Done' in Object(board.state.snapshot().transfer.status))
      expect(board.state.snapshot().transfer.status).toEqual({ Done: [expect.anything(), 1000] })
      expect(board.state.snapshot().nodes[0]!.flashed).toMatchObject({
        outcome: 'cancelled',
        verified: false,
      })
    }
  })

  it('fails when a transfer of the same size pre-empts the read-back and ends between two polls', async () => {
    const board = await startBoard({
      firmware,
      writeSpeedBytesPerSecond: 16 * mib,
      verifySpeedBytesPerSecond: 2 * mib,
    })
    // Polls come 50, 100, 200, 400 ms apart after the upload: the other transfer falls in a gap.
    board.injectFault({
      kind: 'preempt',
      during: 'verifying',
      afterMs: 500,
      size: image.sizeBytes,
      unpaced: true,
    })
    const run = await runFlashFor(clientFor(board), image, { pollIntervalMs: 1000 })
    expect(board.state.snapshot().transfer.status).toEqual({ Done: [expect.anything(), image.sizeBytes] })
    expect(run.result).toBeUndefined()
    expect(run.error?.code).toBe('bmc_busy')
    expect(run.error?.message).toMatch(/cannot have been the flash of node 1/)
  })

  it('stops uploading at once when pre-empted mid-write, though the BMC holds the upload open', async () => {
    const board = await startBoard({
      firmware,
      writeSpeedBytesPerSecond: 2 * mib,
      verifySpeedBytesPerSecond: 16 * mib,
      preemptedUploadReplyMs: 5000,
    })
    board.injectFault({ kind: 'preempt', during: 'writing', afterMs: 200, size: 1000 })
    const client = clientFor(board)
    const run = await runFlashFor(client, image, { pollIntervalMs: 100 })
    expect(run.error?.code).toBe('bmc_busy')
    expect(run.error?.phase).toBe('writing')
    // The BMC would answer the upload only after 5 s; closing the client waits for requests in
    // flight, so it is quick only if the upload was stopped when the flash failed.
    await client.close()
    expect(performance.now() - run.settledAt).toBeLessThan(1000)
  })
})

describe.each(firmwares)('a pre-empted read-back seen by the user on firmware %s', (firmware) => {
  it('makes the CLI exit non-zero with "verified": false', async () => {
    const board = await startBoard({
      firmware,
      writeSpeedBytesPerSecond: 16 * mib,
      verifySpeedBytesPerSecond: 4 * mib,
    })
    board.injectFault({ kind: 'preempt', during: 'verifying', afterMs: 150 })
    const run = await runCli(
      [
        'bmc',
        '--bmc',
        board.url,
        '--fingerprint',
        board.fingerprint256,
        'flash',
        '--node',
        '1',
        image.path,
        '--json',
        '--yes',
      ],
      { env: { CLUSTERDECK_HOME: `${dir.path}/home-${firmware}`, CLUSTERDECK_BMC_PASSWORD: 'turing' } },
    )
    expect(run.code).not.toBe(0)
    const result = JSON.parse(run.stdout)
    expect(result).toMatchObject({ outcome: 'failed', verified: false, failedPhase: 'verifying' })
    expect(result.message).toMatch(/another client started/i)
  })

  it('records the flash as failed and unverified in the history, so a resumed run flashes again', async () => {
    const board = await startBoard({
      firmware,
      writeSpeedBytesPerSecond: 16 * mib,
      verifySpeedBytesPerSecond: 4 * mib,
    })
    const core = createAppCore({
      dataDir: `${dir.path}/core-${firmware}`,
      secrets: new MemorySecretStore(),
      transport: 'cli',
    })
    try {
      const boardId = (await saveBoard(core, board, 'rack')).id
      board.injectFault({ kind: 'preempt', during: 'verifying', afterMs: 150 })
      const started = await core.dispatch('flash.start', {
        boardId,
        node: 1,
        image: { kind: 'file', path: image.path },
      })
      expect(started.ok).toBe(true)
      await core.flash.idle()
      const history = await core.dispatch('flash.history', { boardId })
      expect(history.ok && history.value).toEqual([
        expect.objectContaining({ node: 1, outcome: 'failed', verified: false, failedPhase: 'verifying' }),
      ])
    } finally {
      await core.close()
    }
  })
})
