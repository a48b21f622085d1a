// Node flashing against the virtual board over real HTTPS: the handle/upload/poll sequence, the
// verify phase per firmware, integrity checks, the upload window, pre-emption, cancel, broken
// uploads, `.xz` handling and write-speed back-pressure.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import type { VirtualBoard, VirtualBoardOptions } from '../../src-main/virtual-board/virtual-board-server.ts'
import { startVirtualBoard } from '../../src-main/virtual-board/virtual-board-server.ts'
import {
  api,
  call,
  flashStatus,
  imageBytes,
  isFinished,
  login,
  pollFlash,
  startFlash,
  upload,
} from './virtual-board-helpers.ts'

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')
type Transferring = {
  Transferring: { id: number; size: number; bytes_written: number; process_name: string }
}
const transferring = (status: unknown) => status as Transferring

let board: VirtualBoard | undefined
afterEach(async () => {
  await board?.close()
  board = undefined
})

async function boot(options: VirtualBoardOptions): Promise<{ board: VirtualBoard; token: string }> {
  board = await startVirtualBoard({ bootDelayMs: 10, ...options })
  return { board, token: await login(board) }
}

describe.each(['2.1', '2.0.5'] as const)('flashing on firmware %s', (firmware) => {
  it('writes the image, verifies it, reports Done and leaves the node off', async () => {
    const image = imageBytes(512 * 1024)
    const { board, token } = await boot({ firmware, verifySpeedBytesPerSecond: 2 * 1024 * 1024 })
    await api(board, token, 'opt=set&type=power&node2=1')

    expect(await flashStatus(board, token)).toBe('Ready')
    const handle = await startFlash(
      board,
      token,
      `node=1&file=image.img&length=${image.length}&sha256=${sha256(image)}`,
    )
    expect(board.state.snapshot().nodes[1]!.power).toBe(false)
    const status = transferring(await flashStatus(board, token))
    expect(status.Transferring).toMatchObject({ id: handle, size: image.length, bytes_written: 0 })
    expect(status.Transferring.process_name).toBe(
      firmware === '2.1' ? 'Node 2 os install service' : 'Node 2 upgrade service',
    )

    const polling = pollFlash(board, token, isFinished, { intervalMs: 5 })
    expect(await upload(board, token, handle, image)).toMatchObject({ status: 200, text: '' })
    const seen = await polling
    const final = seen.at(-1) as { Done: [{ secs: number; nanos: number }, number] }
    expect(final.Done[1]).toBe(image.length)
    expect(final.Done[0]).toEqual({ secs: expect.any(Number), nanos: expect.any(Number) })

    // The verify phase: FW 2.1 counts the read-back in bytes_written from 0 again; 2.0.5 does not.
    const written = seen.filter((s) => typeof s === 'object' && s !== null && 'Transferring' in s)
    const counts = written.map((s) => transferring(s).Transferring.bytes_written)
    if (firmware === '2.1') {
      expect(counts.some((count, i) => i > 0 && count < counts[i - 1]!)).toBe(true)
    } else {
      expect(counts.at(-1)).toBe(image.length)
      expect(counts.every((count, i) => i === 0 || count >= counts[i - 1]!)).toBe(true)
    }

    const snapshot = board.state.snapshot()
    expect(snapshot.nodes[1]).toMatchObject({ power: false, running: false })
    expect(snapshot.nodes[1]!.flashed).toEqual({
      fileName: 'image.img',
      sha256: sha256(image),
      bytesWritten: image.length,
      verified: true,
      outcome: 'done',
    })
    expect(JSON.parse((await api(board, token, 'opt=get&type=power')).text)).toEqual({
      response: [{ result: [{ node1: '0', node2: '0', node3: '0', node4: '0' }] }],
    })
  })

  it(firmware === '2.1' ? 'skips the read-back with skip_crc' : 'verifies even with skip_crc', async () => {
    const image = imageBytes(64 * 1024)
    const { board, token } = await boot({ firmware })
    const handle = await startFlash(board, token, `node=0&file=a.img&length=${image.length}&skip_crc=false`)
    await upload(board, token, handle, image)
    await pollFlash(board, token, isFinished)
    expect(board.state.snapshot().nodes[0]!.flashed?.verified).toBe(firmware !== '2.1')
  })

  it('reports a sha256 mismatch as Error after writing', async () => {
    const image = imageBytes(100_000)
    const { board, token } = await boot({ firmware })
    const wrong = sha256(Buffer.from('something else'))
    const handle = await startFlash(board, token, `node=2&file=a.img&length=${image.length}&sha256=${wrong}`)
    await upload(board, token, handle, image)
    const final = (await pollFlash(board, token, isFinished)).at(-1)
    expect(final).toEqual({ Error: `sha256 checksum failed. Expected: ${wrong}, got: ${sha256(image)}` })
    expect(board.state.snapshot().nodes[2]!.flashed).toMatchObject({
      outcome: 'error',
      bytesWritten: image.length,
    })
  })

  it(firmware === '2.1' ? 'decompresses .xz uploads' : 'writes .xz uploads raw', async () => {
    const raw = Buffer.concat([imageBytes(200_000), Buffer.alloc(300_000)])
    const compressed = execFileSync('xz', ['-z', '-c', '-3'], { input: raw })
    const { board, token } = await boot({ firmware })
    const handle = await startFlash(
      board,
      token,
      `node=0&file=disk.img.xz&length=${compressed.length}&sha256=${sha256(compressed)}`,
    )
    expect(await upload(board, token, handle, compressed, { fileName: 'disk.img.xz' })).toMatchObject({
      status: 200,
    })
    const final = (await pollFlash(board, token, isFinished)).at(-1)
    expect(final).toMatchObject({ Done: [expect.anything(), compressed.length] })
    const written = firmware === '2.1' ? raw : compressed
    expect(board.state.snapshot().nodes[0]!.flashed).toMatchObject({
      sha256: sha256(written),
      bytesWritten: written.length,
    })
  })
})

describe('flash failures', () => {
  it('errors with "Send timeout" when the upload misses its window, then rejects the upload', async () => {
    const { board, token } = await boot({ firmware: '2.1', uploadWindowMs: 150 })
    await api(board, token, 'opt=set&type=power&node1=1')
    const handle = await startFlash(board, token, 'node=0&file=a.img&length=10')
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await flashStatus(board, token)).toEqual({ Error: 'Send timeout' })
    const late = await upload(board, token, handle, Buffer.alloc(10))
    expect(late).toMatchObject({
      status: 500,
      text: 'cannot execute command in current state. current=Error, expected=Transferring',
    })
    expect(board.state.snapshot().nodes[0]!.power).toBe(false)
  })

  it('lets a second flash pre-empt the first without a busy error', async () => {
    const image = imageBytes(256 * 1024)
    const { board, token } = await boot({ firmware: '2.1', writeSpeedBytesPerSecond: 256 * 1024 })
    const first = await startFlash(board, token, `node=0&file=a.img&length=${image.length}`)
    const firstUpload = upload(board, token, first, image)
    await pollFlash(board, token, (s) => transferring(s).Transferring?.bytes_written > 0)

    const second = await startFlash(board, token, 'node=1&file=b.img&length=4')
    expect(transferring(await flashStatus(board, token)).Transferring.id).toBe(second)
    expect(await firstUpload).toMatchObject({ status: 500, text: 'transfer canceled' })
    expect(await upload(board, token, first, Buffer.alloc(4))).toMatchObject({
      status: 500,
      text: 'unauthorized request for handle',
    })
    expect(await upload(board, token, second, Buffer.alloc(4))).toMatchObject({ status: 200 })
    await pollFlash(board, token, isFinished)
    expect(board.state.snapshot().nodes[0]!.flashed).toMatchObject({ outcome: 'cancelled' })
    expect(board.state.snapshot().nodes[1]!.flashed).toMatchObject({ outcome: 'done', bytesWritten: 4 })
  })

  it('cancels a running flash and always reports "cancelled by user"', async () => {
    const image = imageBytes(256 * 1024)
    const { board, token } = await boot({ firmware: '2.1', writeSpeedBytesPerSecond: 256 * 1024 })
    const handle = await startFlash(board, token, `node=3&file=a.img&length=${image.length}`)
    const uploading = upload(board, token, handle, image)
    await pollFlash(board, token, (s) => transferring(s).Transferring?.bytes_written > 0)

    const cancelled = await call(board, `/api/bmc/upload/${handle}/cancel`, { token })
    expect(cancelled).toMatchObject({ status: 200, text: '' })
    expect(await uploading).toMatchObject({ status: 500, text: 'cancelled by user' })
    expect(await flashStatus(board, token)).toEqual({ Error: 'cancelled by user' })
    await pollFlash(board, token, () => board.state.snapshot().nodes[3]!.flashed !== undefined)
    expect(board.state.snapshot().nodes[3]!.flashed).toMatchObject({ outcome: 'cancelled', verified: false })
  })

  it('treats an upload cut halfway as cancelled', async () => {
    const image = imageBytes(512 * 1024)
    const { board, token } = await boot({ firmware: '2.1' })
    const handle = await startFlash(board, token, `node=0&file=a.img&length=${image.length}`)
    expect(await upload(board, token, handle, image, { cutAfter: image.length / 2 })).toMatchObject({
      status: 0,
    })
    const final = (await pollFlash(board, token, isFinished)).at(-1)
    expect(final).toEqual({ Error: 'cancelled by user' })
    const flashed = board.state.snapshot().nodes[0]!.flashed
    expect(flashed?.outcome).toBe('cancelled')
    expect(flashed?.bytesWritten).toBeLessThan(image.length)
  })

  it('answers a short upload with "missing … bytes"', async () => {
    const { board, token } = await boot({ firmware: '2.1' })
    const handle = await startFlash(board, token, 'node=0&file=a.img&length=1500000')
    expect(await upload(board, token, handle, Buffer.alloc(1000))).toMatchObject({
      status: 500,
      text: 'missing 1.5 MB bytes',
    })
    expect(await flashStatus(board, token)).toEqual({ Error: 'cancelled by user' })
  })

  it('fails mid-write with an injected fault', async () => {
    const image = imageBytes(300_000)
    const { board, token } = await boot({ firmware: '2.1' })
    board.injectFault({
      kind: 'write-error',
      message: 'Error loading USB device: No supported USB devices found',
      afterBytes: 100_000,
    })
    const handle = await startFlash(board, token, `node=0&file=a.img&length=${image.length}`)
    expect(await upload(board, token, handle, image)).toMatchObject({
      status: 500,
      text: 'Error loading USB device: No supported USB devices found',
    })
    expect(await flashStatus(board, token)).toEqual({
      Error: 'Error loading USB device: No supported USB devices found',
    })
    expect(board.state.snapshot().nodes[0]!.flashed?.bytesWritten).toBeLessThan(image.length)
  })

  it('fails the read-back with an injected CRC fault', async () => {
    const { board, token } = await boot({ firmware: '2.0.5' })
    board.injectFault({ kind: 'verify-error' })
    const handle = await startFlash(board, token, 'node=0&file=a.img&length=1000')
    await upload(board, token, handle, imageBytes(1000))
    const final = (await pollFlash(board, token, isFinished)).at(-1) as { Error: string }
    expect(final.Error).toMatch(/^crc error\. expected \d+, calculated \d+$/)
  })

  it.each([
    ['node=4&file=a&length=1', 'Parameter `node` is out of range 0..3 of node IDs'],
    ['node=0&length=1', 'Invalid `file` query parameter'],
    ['node=0&file=a', 'Invalid `length` query parameter'],
    ['node=0&file=a&length=x', '`length` parameter is not a number'],
    [
      'node=0&file=a&length=1&sha256=abc',
      '`sha256` parameter contains invalid hex values: Odd number of digits',
    ],
    [
      'node=0&file=a&length=1&sha256=zz',
      "`sha256` parameter contains invalid hex values: Invalid character 'z' at position 0",
    ],
    [
      'node=0&file=/mnt/sdcard/a.img&local',
      'Failed to /mnt/sdcard/a.img: No such file or directory (os error 2)',
    ],
  ])('rejects a start with %s as plain-text 500', async (query, message) => {
    const { board, token } = await boot({ firmware: '2.1' })
    const response = await api(board, token, `opt=set&type=flash&${query}`)
    expect(response).toMatchObject({ status: 500, text: message })
    expect(response.headers['content-type']).toMatch(/^text\/plain/)
  })

  it('respects the write speed through back-pressure on the upload', async () => {
    const image = imageBytes(1024 * 1024)
    const speed = 2 * 1024 * 1024
    const { board, token } = await boot({ firmware: '2.1', writeSpeedBytesPerSecond: speed })
    const handle = await startFlash(board, token, `node=0&file=a.img&length=${image.length}&skip_crc`)
    const started = performance.now()
    expect(await upload(board, token, handle, image)).toMatchObject({ status: 200 })
    const uploadSeconds = (performance.now() - started) / 1000
    await pollFlash(board, token, isFinished)
    const totalSeconds = (performance.now() - started) / 1000
    const minimum = image.length / speed
    // The upload cannot outrun the simulated eMMC by more than what is in flight.
    expect(uploadSeconds).toBeGreaterThan(minimum * 0.8)
    expect(totalSeconds).toBeGreaterThan(minimum * 0.95)
    expect(totalSeconds).toBeLessThan(minimum * 4)
  })

  it('"succeeds" with zero bytes after a malformed multipart body, as bmcd does', async () => {
    const { board, token } = await boot({ firmware: '2.1' })
    const handle = await startFlash(board, token, 'node=0&file=a.img&length=100')
    const response = await call(board, `/api/bmc/upload/${handle}`, {
      method: 'POST',
      token,
      body: 'not multipart',
      contentType: 'application/octet-stream',
    })
    expect(response).toMatchObject({ status: 500, text: 'Multipart form invalid' })
    const final = (await pollFlash(board, token, isFinished)).at(-1)
    expect(final).toMatchObject({ Done: [expect.anything(), 100] })
    expect(board.state.snapshot().nodes[0]!.flashed?.bytesWritten).toBe(0)
  })
})
