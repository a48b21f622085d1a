// runFlash against the virtual board over real HTTPS, for both firmware versions: what ends up on
// the node's eMMC, verification and skip_crc, the phases reported, and every way a flash can fail
// or be stopped: a broken upload, a BMC error, another client's transfer, a busy BMC, a missed
// upload window, a cancel while writing or verifying.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { BmcClient } from '../../src-main/bmc/bmc-client.ts'
import type { VirtualBoard, VirtualBoardOptions } from '../../src-main/virtual-board/virtual-board-server.ts'
import type { NodeNumber } from '../../src-shared/bmc/node-number.ts'
import { startCutProxy, type CutProxy } from '../support/cut-proxy.ts'
import { imageBytes, sha256, writeImage } from '../support/make-image.ts'
import { runFlashFor, type FlashRun } from '../support/run-flash.ts'
import { makeTempDir } from '../support/temp-dir.ts'
import { clientFor, closeAll, firmwares, startBoard, waitFor } from '../support/virtual-bmc.ts'
import { login, startFlash } from './virtual-board-helpers.ts'

const mib = 1024 * 1024
const speed = 16 * mib

let dir: ReturnType<typeof makeTempDir>
const images = new Map<string, { path: string; bytes: Buffer; sha256: string }>()
beforeAll(() => {
  dir = makeTempDir()
})
afterAll(() => dir.remove())

let proxy: CutProxy | undefined
afterEach(async () => {
  await proxy?.close()
  proxy = undefined
  await closeAll()
})

/** A raw image file of `sizeMib` MiB, made once per size and seed. */
function image(sizeMib: number, seed = 1): { path: string; bytes: Buffer; sha256: string } {
  const key = `${sizeMib}-${seed}`
  let made = images.get(key)
  if (!made) {
    const bytes = imageBytes(sizeMib * mib, seed)
    made = { path: writeImage(`${dir.path}/disk-${key}.img`, bytes), bytes, sha256: sha256(bytes) }
    images.set(key, made)
  }
  return made
}

function flash(
  client: BmcClient,
  options: {
    node?: NodeNumber
    sizeMib?: number
    knownSha256?: string | null
    verify?: boolean
    powerOnAfter?: boolean
    signal?: AbortSignal
    stallTimeoutMs?: number
  } = {},
): Promise<FlashRun> {
  const { sizeMib = 2, knownSha256 = null, ...rest } = options
  const file = image(sizeMib)
  const prepared = { path: file.path, name: 'disk.img', sizeBytes: file.bytes.length, sha256: knownSha256 }
  return runFlashFor(client, prepared, { ...rest, pollIntervalMs: 20 })
}

async function board(firmware: (typeof firmwares)[number], options: Partial<VirtualBoardOptions> = {}) {
  const started = await startBoard({
    firmware,
    writeSpeedBytesPerSecond: speed,
    verifySpeedBytesPerSecond: speed,
    ...options,
  })
  return { board: started, client: clientFor(started) }
}

const transferStatus = (target: VirtualBoard) => target.state.snapshot().transfer.status

describe.each(firmwares)('flashing on firmware %s', (firmware) => {
  it('writes the exact image, verifies it, reports writing then verifying, and powers the node on', async () => {
    const { board: target, client } = await board(firmware)
    const run = await flash(client, { node: 2 })
    const file = image(2)

    expect(run.error).toBeUndefined()
    expect(run.result).toEqual({ verified: true, sha256: file.sha256 })
    expect(run.phases).toEqual(['preparing', 'writing', 'verifying', 'powering-on'])
    const node = target.state.snapshot().nodes[1]!
    expect(node.flashed).toEqual({
      fileName: 'disk.img',
      sha256: file.sha256,
      bytesWritten: file.bytes.length,
      verified: true,
      outcome: 'done',
    })
    expect(node.power).toBe(true)
    expect(target.state.snapshot().nodes.filter((other) => other.flashed !== undefined)).toHaveLength(1)
  })

  it('leaves the node off when asked not to power it on', async () => {
    const { board: target, client } = await board(firmware)
    const run = await flash(client, { node: 3, powerOnAfter: false })
    expect(run.result?.verified).toBe(true)
    expect(run.phases).not.toContain('powering-on')
    const node = target.state.snapshot().nodes[2]!
    expect(node.flashed?.outcome).toBe('done')
    expect(node.power).toBe(false)
    expect(node.running).toBe(false)
  })

  it(
    firmware === '2.1'
      ? 'skips the read-back with verify: false (skip_crc)'
      : 'still verifies with verify: false (2.0.5 always does)',
    async () => {
      const { board: target, client } = await board(firmware)
      const run = await flash(client, { verify: false })
      const verifies = firmware !== '2.1'
      expect(run.result).toEqual({ verified: verifies, sha256: image(2).sha256 })
      expect(target.state.snapshot().nodes[0]!.flashed).toMatchObject({ outcome: 'done', verified: verifies })
      expect(run.phases.includes('verifying')).toBe(verifies)
      if (!verifies) return
      expect(run.messages.some((message) => message.includes('always verifies'))).toBe(true)
    },
  )

  it('polls the BMC at the poll interval, not in a loop, once the upload has finished', async () => {
    // 2 MiB write (~125 ms), then a 0.5 s read-back: polled every 20 ms, a few dozen requests in all.
    const { board: target, client } = await board(firmware, { verifySpeedBytesPerSecond: 4 * mib })
    const run = await flash(client)
    expect(run.result?.verified).toBe(true)
    expect(target.state.snapshot().requests).toBeLessThan(80)
  })

  it('does not take a long read-back for a stall', async () => {
    // 2.0.5 shows no verify progress at all (bytes_written stays at the total); 2.1 counts it.
    const { board: target, client } = await board(firmware, { verifySpeedBytesPerSecond: 4 * mib })
    const run = await flash(client, { stallTimeoutMs: 300 })
    expect(run.error).toBeUndefined()
    expect(run.result?.verified).toBe(true)
    expect(target.state.snapshot().nodes[0]!.flashed).toMatchObject({ outcome: 'done', verified: true })
  })

  it('fails in the writing phase, never verified, when the upload connection breaks halfway', async () => {
    const target = await startBoard({
      firmware,
      writeSpeedBytesPerSecond: speed,
      verifySpeedBytesPerSecond: speed,
    })
    proxy = await startCutProxy(target.port)
    const client = clientFor(target, { url: proxy.url })
    await client.firmware()
    proxy.cutAfter(1 * mib)
    const run = await flash(client, { sizeMib: 2 })

    expect(proxy.cuts()).toBe(1)
    expect(run.result).toBeUndefined()
    expect(run.error?.phase).toBe('writing')
    expect(run.error?.message).toMatch(/upload to node 1 broke off/)
    // The slot is free again for the next flash, whoever noticed the break first.
    expect(transferStatus(target)).toEqual({ Error: 'cancelled by user' })
    const flashed = await waitFor(() => target.state.snapshot().nodes[0]!.flashed)
    expect(flashed).toMatchObject({ outcome: 'cancelled', verified: false })
    expect(flashed.bytesWritten).toBeLessThan(2 * mib)
    expect(target.state.snapshot().nodes[0]!.power).toBe(false)
  })

  it("fails with the BMC's own message when the write fails", async () => {
    const { board: target, client } = await board(firmware)
    target.injectFault({
      kind: 'write-error',
      message: 'Error writing to the eMMC: Input/output error',
      afterBytes: mib,
    })
    const run = await flash(client)
    expect(run.error?.phase).toBe('writing')
    expect(run.error?.code).toBe('bmc_error')
    expect(run.error?.message).toContain('Error writing to the eMMC: Input/output error')
    expect(target.state.snapshot().nodes[0]!).toMatchObject({
      power: false,
      flashed: { outcome: 'error', verified: false },
    })
  })

  it('fails in the verifying phase when the read-back finds a different CRC', async () => {
    const { board: target, client } = await board(firmware)
    target.injectFault({ kind: 'verify-error' })
    const run = await flash(client)
    expect(run.error?.phase).toBe('verifying')
    expect(run.error?.message).toMatch(/crc error\. expected \d+, calculated \d+/)
    expect(target.state.snapshot().nodes[0]!.power).toBe(false)
  })

  it('fails as bmc_busy when another client starts a transfer mid-write, and leaves that one alone', async () => {
    const { board: target, client } = await board(firmware, { writeSpeedBytesPerSecond: 4 * mib })
    const running = flash(client, { sizeMib: 4 })
    await waitFor(
      () =>
        target.state.snapshot().transfer.phase === 'writing' &&
        (target.state.snapshot().transfer.status as { Transferring: { bytes_written: number } }).Transferring
          .bytes_written > mib,
    )
    const other = await startFlash(target, await login(target), 'node=2&file=other.img&length=1000')
    const run = await running

    expect(run.error?.code).toBe('bmc_busy')
    expect(run.error?.phase).toBe('writing')
    expect(run.error?.message).toMatch(/Another client started "Node 3 (os install|upgrade) service"/)
    expect(transferStatus(target)).toMatchObject({ Transferring: { id: other } })
    expect(target.state.snapshot().nodes[0]!.flashed).toMatchObject({ outcome: 'cancelled', verified: false })
  })

  it('refuses to start while another transfer runs, and touches nothing', async () => {
    const { board: target, client } = await board(firmware)
    await client.setPower({ 1: true })
    const other = await startFlash(target, await login(target), 'node=3&file=other.img&length=1000')
    const run = await flash(client)
    expect(run.error?.code).toBe('bmc_busy')
    expect(run.error?.phase).toBe('preparing')
    expect(run.error?.message).toMatch(/BMC busy: "Node 4 (os install|upgrade) service" is already running/)
    expect(transferStatus(target)).toMatchObject({ Transferring: { id: other } })
    expect(target.state.snapshot().nodes[0]!).toMatchObject({ power: true, flashed: undefined })
  })

  it('fails when the upload misses the BMC window', async () => {
    const { board: target, client } = await board(firmware, { uploadWindowMs: 50 })
    // A client that starts its upload too late (a stalled disk, a busy machine).
    const late = Object.create(client) as BmcClient
    late.upload = async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 150))
      return client.upload(...args)
    }
    const run = await flash(late)
    expect(run.result).toBeUndefined()
    expect(run.error?.phase).toBe('writing')
    expect(run.error?.message).toContain('Send timeout')
    expect(target.state.snapshot().nodes[0]!.flashed).toMatchObject({
      outcome: 'error',
      error: 'Send timeout',
    })
  })

  it('cancels while writing: the transfer is cancelled on the BMC', async () => {
    const { board: target, client } = await board(firmware, { writeSpeedBytesPerSecond: 4 * mib })
    const abort = new AbortController()
    const running = flash(client, { sizeMib: 4, signal: abort.signal })
    await waitFor(() => target.state.snapshot().transfer.phase === 'writing')
    abort.abort()
    const run = await running
    expect(run.error?.code).toBe('cancelled')
    expect(run.error?.phase).toBe('writing')
    expect(transferStatus(target)).toEqual({ Error: 'cancelled by user' })
    expect(await waitFor(() => target.state.snapshot().nodes[0]!.flashed)).toMatchObject({
      outcome: 'cancelled',
    })
    expect(target.state.snapshot().nodes[0]!.power).toBe(false)
  })

  it('cancels while verifying: the transfer is cancelled on the BMC', async () => {
    const { board: target, client } = await board(firmware, { verifySpeedBytesPerSecond: 2 * mib })
    const abort = new AbortController()
    const running = flash(client, { signal: abort.signal })
    await waitFor(() => target.state.snapshot().transfer.phase === 'verifying')
    abort.abort()
    const run = await running
    expect(run.error?.code).toBe('cancelled')
    expect(run.error?.phase).toBe('verifying')
    expect(transferStatus(target)).toEqual({ Error: 'cancelled by user' })
    expect(await waitFor(() => target.state.snapshot().nodes[0]!.flashed)).toMatchObject({
      outcome: 'cancelled',
      verified: false,
    })
    expect(target.state.snapshot().nodes[0]!.power).toBe(false)
  })

  it('takes another node out of USB flash mode and flashes the target', async () => {
    const { board: target, client } = await board(firmware)
    await client.setUsb(3, 'flash', 'bmc')
    expect(target.state.snapshot().nodes[2]!.usbBoot).toBe(true)
    const run = await flash(client, { node: 1 })
    expect(run.result?.verified).toBe(true)
    expect(run.messages).toContain(
      'Node 3 was in USB flash mode; switching it back to device mode so the BMC writes to node 1',
    )
    const snapshot = target.state.snapshot()
    expect(snapshot.usb).toMatchObject({ mode: 'Device', node: 2, route: 'Bmc' })
    expect(snapshot.nodes.map((node) => node.usbBoot)).toEqual([false, false, false, false])
    expect(snapshot.nodes[0]!.flashed?.sha256).toBe(image(2).sha256)
    expect(snapshot.nodes[2]!.flashed).toBeUndefined()
  })
})

describe('sha256 on firmware 2.1', () => {
  it('sends the known sha256, and a mismatch fails the flash', async () => {
    const { board: target, client } = await board('2.1')
    const good = await flash(client, { knownSha256: image(2).sha256 })
    expect(good.result).toEqual({ verified: true, sha256: image(2).sha256 })

    const wrong = '0'.repeat(64)
    const bad = await flash(client, { knownSha256: wrong })
    expect(bad.error?.message).toContain(
      `sha256 checksum failed. Expected: ${wrong}, got: ${image(2).sha256}`,
    )
    expect(target.state.snapshot().nodes[0]!.flashed).toMatchObject({ outcome: 'error' })
  })
})
