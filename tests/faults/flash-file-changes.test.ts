// An image file that changes while it is being flashed, on both firmware versions, against the
// virtual board over HTTPS: rewritten in place, cut short, grown, or altered in the cache with its
// time stamp put back. Each fails the flash naming the file, never "verified", never the network.
import { appendFileSync, openSync, closeSync, truncateSync, utimesSync, writeSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { PreparedImage } from '../../src-main/flash/flash-run.ts'
import { imageBytes, sha256, writeImage } from '../support/make-image.ts'
import { runFlashFor } from '../support/run-flash.ts'
import { makeTempDir } from '../support/temp-dir.ts'
import { clientFor, closeAll, firmwares, startBoard, waitFor } from '../support/virtual-bmc.ts'

const mib = 1024 * 1024
const size = 8 * mib
let dir: ReturnType<typeof makeTempDir>
let bytes: Buffer
beforeEach(() => {
  dir = makeTempDir()
  bytes = imageBytes(size, 17)
})
afterEach(async () => {
  await closeAll()
  dir.remove()
})

/** Flashes a fresh copy of the image and runs `change` on the file once 1 MiB is written. */
async function flashWhileChanging(
  firmware: (typeof firmwares)[number],
  change: (path: string) => void,
  { cached = false } = {},
) {
  const board = await startBoard({
    firmware,
    writeSpeedBytesPerSecond: 8 * mib,
    verifySpeedBytesPerSecond: 16 * mib,
  })
  const path = writeImage(`${dir.path}/disk.img`, bytes)
  // A whole-second time stamp, so that a test can put it back exactly.
  utimesSync(path, 1_700_000_000, 1_700_000_000)
  const image: PreparedImage = {
    path,
    name: 'disk.img',
    sizeBytes: size,
    sha256: cached ? sha256(bytes) : null,
  }
  const running = runFlashFor(clientFor(board), image, { pollIntervalMs: 50 })
  await waitFor(() => {
    const status = board.state.snapshot().transfer.status
    return typeof status === 'object' && 'Transferring' in status && status.Transferring.bytes_written >= mib
  })
  change(path)
  return { run: await running, path, board }
}

function overwrite(path: string, offset: number, data: Buffer): void {
  const fd = openSync(path, 'r+')
  writeSync(fd, data, 0, data.length, offset)
  closeSync(fd)
}

describe.each(firmwares)('an image file changing during a flash on firmware %s', (firmware) => {
  it('fails naming the file when a raw image is rewritten in place', async () => {
    const { run, path } = await flashWhileChanging(firmware, (file) =>
      overwrite(file, 0, Buffer.alloc(mib, 0xee)),
    )
    expect(run.result).toBeUndefined()
    expect(run.error?.code).toBe('invalid_input')
    expect(run.error?.message).toContain(`The image file ${path} changed while it was being flashed`)
    expect(run.error?.message).toMatch(/it was modified/)
  })

  it('fails naming the file, not the network, when the image is cut short mid-upload', async () => {
    const { run, path } = await flashWhileChanging(firmware, (file) => truncateSync(file, size - mib))
    expect(run.error?.phase).toBe('writing')
    expect(run.error?.message).toContain(`The image file ${path} changed`)
    expect(run.error?.message).toMatch(/it ended after .* of the 8\.00 MiB announced/)
    expect(run.error?.message).not.toMatch(/broke off|connection/i)
  })

  it('fails naming the file when the image grows mid-upload', async () => {
    const { run, path } = await flashWhileChanging(firmware, (file) =>
      appendFileSync(file, Buffer.alloc(mib, 1)),
    )
    expect(run.result).toBeUndefined()
    expect(run.error?.message).toContain(`The image file ${path} changed`)
    expect(run.error?.message).toMatch(/grew beyond|size changed/)
  })

  it('fails on the cached hash when a cached image is altered and its time stamp put back', async () => {
    const { run, path } = await flashWhileChanging(
      firmware,
      (file) => {
        overwrite(file, size - mib, Buffer.alloc(mib, 0xee))
        utimesSync(file, 1_700_000_000, 1_700_000_000)
      },
      { cached: true },
    )
    expect(run.result).toBeUndefined()
    expect(run.error?.code).toBe('checksum_mismatch')
    expect(run.error?.message).toContain(`The image file ${path} does not hold the bytes it was cached under`)
  })
})
