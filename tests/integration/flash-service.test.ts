// Flash jobs through the real contract (createAppCore + dispatch) against the virtual board:
// outcomes on both firmwares, .xz images unpacked into the cache, queued slots running back to
// back, cancel in every phase, failures, and the history of every outcome. Also how flashes and the
// image cache meet: a flash holds its image, goes over the cache limit, and refuses empty images.
import { execFileSync } from 'node:child_process'
import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest'
import { createAppCore, type AppCore } from '../../src-main/core/app-core.ts'
import type { VirtualBoard, VirtualBoardOptions } from '../../src-main/virtual-board/virtual-board-server.ts'
import type { FlashJob, FlashRecord, FlashRequest } from '../../src-shared/flash/flash-schemas.ts'
import { imageBytes, pack, sha256, writeImage } from '../support/make-image.ts'
import { openDatabase } from '../../src-main/store/database.ts'
import { MemorySecretStore } from '../support/memory-secret-store.ts'
import { runCli } from '../support/run-cli.ts'
import { makeTempDir } from '../support/temp-dir.ts'
import { closeAll, firmwares, saveBoard, startBoard, waitFor } from '../support/virtual-bmc.ts'

const mib = 1024 * 1024

let files: ReturnType<typeof makeTempDir>
let raw: { path: string; sha256: string; size: number }
let xz: string
/** 256 MiB of zeros, xz-packed to a few KiB: cheap to make, a second or so to unpack. */
let bigXz: string
let corruptXz: string
beforeAll(() => {
  files = makeTempDir()
  const bytes = imageBytes(2 * mib, 7)
  raw = { path: writeImage(join(files.path, 'disk.img'), bytes), sha256: sha256(bytes), size: bytes.length }
  xz = pack(raw.path, 'xz')
  bigXz = join(files.path, 'big.img.xz')
  execFileSync('sh', ['-c', `head -c ${256 * mib} /dev/zero | xz -0 -T0 > '${bigXz}'`])
  corruptXz = writeImage(
    join(files.path, 'corrupt.img.xz'),
    Buffer.concat([Buffer.from('fd377a585a00', 'hex'), imageBytes(4096, 3)]),
  )
})
afterAll(() => files.remove())

interface Harness {
  core: AppCore
  board: VirtualBoard
  boardId: string
  /** Every flash.progress payload, in order. */
  events: FlashJob[]
  dataDir: string
}

let harnesses: Array<{ core: AppCore; dir: ReturnType<typeof makeTempDir> }> = []
afterEach(async () => {
  for (const { core, dir } of harnesses) {
    await core.close()
    dir.remove()
  }
  harnesses = []
  await closeAll()
})

async function harness(
  firmware: (typeof firmwares)[number],
  options: Partial<VirtualBoardOptions> = {},
): Promise<Harness> {
  const board = await startBoard({
    firmware,
    writeSpeedBytesPerSecond: 32 * mib,
    verifySpeedBytesPerSecond: 32 * mib,
    ...options,
  })
  const dir = makeTempDir()
  const core = createAppCore({
    dataDir: dir.path,
    secrets: new MemorySecretStore(),
    transport: 'cli',
    flashPollIntervalMs: 50,
  })
  harnesses.push({ core, dir })
  const events: FlashJob[] = []
  core.events.on('flash.progress', (job) => events.push(job))
  const added = await saveBoard(core, board, `virtual-${firmware}`)
  return { core, board, boardId: added.id, events, dataDir: dir.path }
}

async function request<T>(core: AppCore, name: string, input: unknown): Promise<T> {
  const result = await core.dispatch(name, input)
  if (!result.ok) throw new Error(`${name} failed: ${result.error.code}: ${result.error.message}`)
  return result.value as T
}

function start(
  h: Harness,
  node: 1 | 2 | 3 | 4,
  path: string,
  extra: Partial<FlashRequest> = {},
): Promise<FlashJob> {
  return request<FlashJob>(h.core, 'flash.start', {
    boardId: h.boardId,
    node,
    image: { kind: 'file', path },
    ...extra,
  })
}

async function jobs(h: Harness): Promise<Map<string, FlashJob>> {
  return new Map((await request<FlashJob[]>(h.core, 'flash.jobs', {})).map((job) => [job.id, job]))
}

const phasesOf = (h: Harness, id: string) =>
  h.events
    .filter((event) => event.id === id)
    .map((event) => event.phase)
    .filter((phase, i, all) => phase !== all[i - 1])

const nodeState = (h: Harness, node: number) => h.board.state.snapshot().nodes[node - 1]!

describe.each(firmwares)('flash jobs on firmware %s', (firmware) => {
  it('flashes, verifies and powers on, reporting every phase and recording the outcome', async () => {
    const h = await harness(firmware, { verifySpeedBytesPerSecond: 8 * mib })
    const queued = await start(h, 2, raw.path)
    expect(queued).toMatchObject({
      phase: 'queued',
      node: 2,
      imageName: 'disk.img',
      verify: true,
      powerOnAfter: true,
    })
    await h.core.flash.idle()

    const job = (await jobs(h)).get(queued.id)!
    expect(job).toMatchObject({
      phase: 'done',
      verified: true,
      imageSha256: raw.sha256,
      imageSizeBytes: raw.size,
      failedPhase: null,
    })
    expect(phasesOf(h, job.id)).toEqual([
      'queued',
      'preparing',
      'writing',
      'verifying',
      'powering-on',
      'done',
    ])
    expect(nodeState(h, 2)).toMatchObject({
      power: true,
      flashed: { sha256: raw.sha256, bytesWritten: raw.size, verified: true },
    })

    const history = await request<FlashRecord[]>(h.core, 'flash.history', { boardId: h.boardId })
    expect(history).toEqual([
      expect.objectContaining({
        id: job.id,
        node: 2,
        outcome: 'done',
        verified: true,
        imageSha256: raw.sha256,
        imageSizeBytes: raw.size,
      }),
    ])
  })

  it('unpacks an .xz image into the cache and flashes the raw bytes', async () => {
    const h = await harness(firmware)
    const queued = await start(h, 1, xz)
    expect(queued.imageName).toBe('disk.img.xz')
    await h.core.flash.idle()
    const job = (await jobs(h)).get(queued.id)!
    expect(job).toMatchObject({
      phase: 'done',
      imageSha256: raw.sha256,
      imageSizeBytes: raw.size,
      imageName: 'disk.img',
    })
    expect(nodeState(h, 1).flashed).toMatchObject({
      sha256: raw.sha256,
      bytesWritten: raw.size,
      outcome: 'done',
    })
    expect(h.core.imageCache.find(raw.sha256)).toMatchObject({ sizeBytes: raw.size })
  })

  it('runs several slots of one board back to back, never overlapping', async () => {
    const h = await harness(firmware)
    const queued = await Promise.all([
      start(h, 1, raw.path),
      start(h, 2, xz),
      start(h, 4, raw.path, { verify: false }),
    ])
    await h.core.flash.idle()
    const all = await jobs(h)
    const done = queued
      .map((job) => all.get(job.id)!)
      .sort((a, b) => Date.parse(a.startedAt!) - Date.parse(b.startedAt!))
    expect(done.map((job) => job.phase)).toEqual(['done', 'done', 'done'])
    // Never overlapping; that they follow without idle time is measured by `npm run bench:imaging`
    // (docs/benchmarks.md), not here, where a busy machine stretches every gap.
    for (let i = 1; i < done.length; i++) {
      const gap = Date.parse(done[i]!.startedAt!) - Date.parse(done[i - 1]!.finishedAt!)
      expect(gap).toBeGreaterThanOrEqual(0)
    }
    for (const node of [1, 2, 4])
      expect(nodeState(h, node).flashed).toMatchObject({ sha256: raw.sha256, outcome: 'done' })
    expect(nodeState(h, 3).flashed).toBeUndefined()
  })

  it('cancels a queued flash at once; it never reaches the BMC', async () => {
    const h = await harness(firmware)
    const first = await start(h, 1, raw.path)
    const second = await start(h, 2, raw.path)
    const cancelled = await request<FlashJob>(h.core, 'flash.cancel', { jobId: second.id })
    expect(cancelled).toMatchObject({ phase: 'cancelled', failedPhase: 'queued', startedAt: null })
    await h.core.flash.idle()
    const all = await jobs(h)
    expect(all.get(first.id)!.phase).toBe('done')
    expect(all.get(second.id)!.phase).toBe('cancelled')
    expect(nodeState(h, 2).flashed).toBeUndefined()
  })

  it('cancels while preparing a big .xz: nothing reaches the BMC or the cache', async () => {
    const h = await harness(firmware)
    const job = await start(h, 3, bigXz)
    await waitFor(() => h.events.some((event) => event.id === job.id && event.phase === 'preparing'))
    await request(h.core, 'flash.cancel', { jobId: job.id })
    await h.core.flash.idle()
    // Late progress from the unpacking worker must not revive the job.
    await sleep(200)

    expect((await jobs(h)).get(job.id)).toMatchObject({
      phase: 'cancelled',
      failedPhase: 'preparing',
      startedAt: null,
    })
    expect(h.board.state.snapshot().requests).toBe(0)
    expect(h.core.imageCache.list()).toEqual([])
    expect(readdirSync(join(h.dataDir, 'images', '.incoming', String(process.pid)))).toEqual([])
    const history = await request<FlashRecord[]>(h.core, 'flash.history', { boardId: h.boardId })
    expect(history.map((record) => record.outcome)).toEqual(['cancelled'])
    // The node is free for a new flash.
    await start(h, 3, raw.path)
    await h.core.flash.idle()
    expect(nodeState(h, 3).flashed?.outcome).toBe('done')
  })

  it('cancels while writing: the BMC transfer is cancelled', async () => {
    const h = await harness(firmware, { writeSpeedBytesPerSecond: 2 * mib })
    const job = await start(h, 1, raw.path)
    await waitFor(() =>
      h.events.some(
        (event) => event.id === job.id && event.phase === 'writing' && (event.progress?.bytesDone ?? 0) > 0,
      ),
    )
    await request(h.core, 'flash.cancel', { jobId: job.id })
    await h.core.flash.idle()
    expect((await jobs(h)).get(job.id)).toMatchObject({
      phase: 'cancelled',
      failedPhase: 'writing',
      verified: false,
    })
    expect(h.board.state.snapshot().transfer.status).toEqual({ Error: 'cancelled by user' })
    expect(nodeState(h, 1).power).toBe(false)
  })

  it('cancels while verifying: the BMC transfer is cancelled', async () => {
    const h = await harness(firmware, { verifySpeedBytesPerSecond: 1 * mib })
    const job = await start(h, 1, raw.path)
    await waitFor(() => h.events.some((event) => event.id === job.id && event.phase === 'verifying'))
    expect(h.board.state.snapshot().transfer.phase).toBe('verifying')
    await request(h.core, 'flash.cancel', { jobId: job.id })
    await h.core.flash.idle()
    expect((await jobs(h)).get(job.id)).toMatchObject({
      phase: 'cancelled',
      failedPhase: 'verifying',
      verified: false,
    })
    expect(h.board.state.snapshot().transfer.status).toEqual({ Error: 'cancelled by user' })
  })

  it('records every outcome in the history, newest first, per node', async () => {
    const h = await harness(firmware, { writeSpeedBytesPerSecond: 8 * mib })
    const ok = await start(h, 1, raw.path)
    await h.core.flash.idle()
    h.board.injectFault({
      kind: 'write-error',
      message: "Compute module's USB interface not found or supported",
      afterBytes: mib,
    })
    const failed = await start(h, 2, raw.path)
    await h.core.flash.idle()
    const cancelled = await start(h, 1, raw.path)
    await waitFor(() => h.events.some((event) => event.id === cancelled.id && event.phase === 'writing'))
    await request(h.core, 'flash.cancel', { jobId: cancelled.id })
    await h.core.flash.idle()

    const failedJob = (await jobs(h)).get(failed.id)!
    expect(failedJob).toMatchObject({ phase: 'failed', failedPhase: 'writing', verified: false })
    expect(failedJob.message).toContain("Compute module's USB interface not found or supported")

    const history = await request<FlashRecord[]>(h.core, 'flash.history', { boardId: h.boardId })
    expect(history.map((record) => [record.id, record.outcome])).toEqual([
      [cancelled.id, 'cancelled'],
      [failed.id, 'failed'],
      [ok.id, 'done'],
    ])
    expect(history.find((record) => record.id === failed.id)).toMatchObject({
      failedPhase: 'writing',
      verified: false,
    })
    const node1 = await request<FlashRecord[]>(h.core, 'flash.history', { boardId: h.boardId, node: 1 })
    expect(node1.map((record) => record.id)).toEqual([cancelled.id, ok.id])
  })

  it('fails a queued job whose image cannot be unpacked, without disturbing the running one', async () => {
    const h = await harness(firmware, { writeSpeedBytesPerSecond: 4 * mib })
    const running = await start(h, 1, raw.path)
    const broken = await start(h, 2, corruptXz)
    await h.core.flash.idle()
    const all = await jobs(h)
    expect(all.get(running.id)!.phase).toBe('done')
    expect(all.get(broken.id)).toMatchObject({ phase: 'failed', failedPhase: 'preparing' })
    expect(all.get(broken.id)!.message).toContain('Could not unpack corrupt.img.xz')
    expect(nodeState(h, 2).flashed).toBeUndefined()
  })
})

describe('flash jobs and the image cache', () => {
  it('holds a queued flash’s cached image: delete (here and from the CLI) and eviction leave it alone', async () => {
    // Slow enough that the first flash outlasts a CLI process starting on a busy machine.
    const h = await harness('2.1', { writeSpeedBytesPerSecond: mib / 16 })
    const cached = await request<{ sha256: string }>(h.core, 'images.importFile', { path: xz })
    const running = await start(h, 1, raw.path)
    const queued = await request<FlashJob>(h.core, 'flash.start', {
      boardId: h.boardId,
      node: 2,
      image: { kind: 'cached', sha256: cached.sha256 },
    })
    expect((await jobs(h)).get(queued.id)!.phase).toBe('queued')

    const holder = 'the flash of node 2 on board "virtual-2.1"'
    const refused = await h.core.dispatch('images.remove', { ref: cached.sha256 })
    expect(refused).toMatchObject({
      ok: false,
      error: {
        code: 'conflict',
        message: `disk.img cannot be deleted: ${holder} is waiting for it or writing it.`,
      },
    })
    // Another process on the same data directory sees the hold too.
    const cli = await runCli(['image', 'rm', cached.sha256.slice(0, 12), '--yes'], {
      env: { CLUSTERDECK_HOME: h.dataDir },
    })
    expect(cli.code).not.toBe(0)
    expect(cli.stderr).toContain(holder)
    // Eviction skips it: with the limit at its size, a library import finds no room.
    await request(h.core, 'images.updateSettings', { sizeLimitBytes: raw.size })
    const other = writeImage(join(files.path, 'other.img'), imageBytes(mib, 8))
    expect(await h.core.dispatch('images.importFile', { path: other })).toMatchObject({
      ok: false,
      error: {
        code: 'cache_full',
        message: expect.stringContaining('2.00 MiB of it is pinned or held by a flash'),
      },
    })
    expect(await request(h.core, 'images.usage', {})).toMatchObject({ heldBytes: raw.size })
    // All of that while the flash was still waiting for its turn.
    expect((await jobs(h)).get(running.id)!.phase).toBe('writing')
    expect((await jobs(h)).get(queued.id)!.phase).toBe('queued')

    // Ended (here cancelled), the flash lets go of it.
    await request(h.core, 'flash.cancel', { jobId: queued.id })
    expect(await request(h.core, 'images.usage', {})).toMatchObject({ heldBytes: 0 })
    await expect(request(h.core, 'images.remove', { ref: cached.sha256 })).resolves.toMatchObject({
      sha256: raw.sha256,
    })
  })

  it('never refuses a dropped file for the cache limit: it goes over, evicting what it can', async () => {
    const h = await harness('2.1')
    const old = writeImage(join(files.path, 'old.img'), imageBytes(mib, 9))
    await request(h.core, 'images.importFile', { path: old })
    await request(h.core, 'images.updateSettings', { sizeLimitBytes: mib })
    const changes: unknown[] = []
    h.core.events.onAny((name, payload) => {
      if (name === 'images.changed') changes.push(payload)
    })
    const job = await start(h, 3, xz)
    await h.core.flash.idle()
    expect((await jobs(h)).get(job.id)).toMatchObject({
      phase: 'done',
      verified: true,
      imageSha256: raw.sha256,
    })
    expect(changes).toEqual([
      expect.objectContaining({ reason: 'evicted', name: 'old.img' }),
      expect.objectContaining({ reason: 'added', name: 'disk.img' }),
    ])
    expect(await request(h.core, 'images.usage', {})).toMatchObject({
      imageCount: 1,
      totalBytes: raw.size,
      heldBytes: 0,
      sizeLimitBytes: mib,
    })
    const list = await runCli(['image', 'list'], { env: { CLUSTERDECK_HOME: h.dataDir } })
    expect(list.stdout).toContain('1 image, 2.00 MiB of a 1.00 MiB limit, 1.00 MiB over it')
  })

  it('refuses empty images: a dropped file, a packed one, and an empty row in the library', async () => {
    const h = await harness('2.1')
    const transferBefore = h.board.state.snapshot().transfer.status
    const empty = writeImage(join(files.path, 'empty.img'), Buffer.alloc(0))
    await expect(start(h, 1, empty)).rejects.toThrow(
      /invalid_input: empty.img is empty: there is nothing in it to store or flash\./,
    )

    const job = await start(h, 1, pack(empty, 'gzip'))
    await h.core.flash.idle()
    expect((await jobs(h)).get(job.id)).toMatchObject({
      phase: 'failed',
      failedPhase: 'preparing',
      verified: false,
      message: expect.stringContaining('empty.img is empty once unpacked'),
    })

    // A row an older version wrote while this core runs (its own connection, as another process).
    const emptySha = sha256(Buffer.alloc(0))
    writeFileSync(join(h.dataDir, 'images', `${emptySha}.img`), '')
    const other = openDatabase(h.dataDir)
    other
      .prepare(
        `INSERT INTO images (sha256, name, size_bytes, added_at, last_used_at) VALUES (?, 'old-empty.img', 0, '2026-01-01', '2026-01-01')`,
      )
      .run(emptySha)
    other.close()
    await expect(
      request(h.core, 'flash.start', {
        boardId: h.boardId,
        node: 2,
        image: { kind: 'cached', sha256: emptySha },
      }),
    ).rejects.toThrow(/invalid_input: old-empty.img in the image library is empty/)
    expect(h.board.state.snapshot().transfer.status).toEqual(transferBefore)
    expect(nodeState(h, 1).flashed).toBeUndefined()
    expect(nodeState(h, 2).flashed).toBeUndefined()
  })
})
