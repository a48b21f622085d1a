// A flash whose process is killed (SIGKILL, as a crash or a closed laptop) while the BMC reads the
// image back, on both firmware versions, with the real CLI against the virtual board over HTTPS:
// the BMC keeps running that transfer; the next flash recognises it as ours and cancels it, saying
// so, instead of failing as "BMC busy"; and the killed flash gets an "interrupted" history row.
// Needs the Secret Service (a saved board's password lives in the keychain), as `npm test` provides.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createAppCore } from '../../src-main/core/app-core.ts'
import { openDatabase } from '../../src-main/store/database.ts'
import type { FlashRecord } from '../../src-shared/flash/flash-schemas.ts'
import { imageBytes, sha256, writeImage } from '../support/make-image.ts'
import { MemorySecretStore } from '../support/memory-secret-store.ts'
import { runCli } from '../support/run-cli.ts'
import { makeTempDir } from '../support/temp-dir.ts'
import { closeAll, firmwares, startBoard, waitFor } from '../support/virtual-bmc.ts'

const bin = fileURLToPath(new URL('../../bin/clusterdeck.js', import.meta.url))
const mib = 1024 * 1024
let dir: ReturnType<typeof makeTempDir>
let image: { path: string; sha256: string }
beforeAll(() => {
  dir = makeTempDir()
  const bytes = imageBytes(4 * mib, 23)
  image = { path: writeImage(join(dir.path, 'node.img'), bytes), sha256: sha256(bytes) }
})
afterAll(() => dir.remove())
afterEach(() => closeAll())

async function history(dataDir: string): Promise<FlashRecord[]> {
  const core = createAppCore({ dataDir, secrets: new MemorySecretStore(), transport: 'cli' })
  try {
    const boards = await core.dispatch('boards.list', {})
    if (!boards.ok) throw new Error(boards.error.message)
    const boardId = (boards.value as Array<{ id: string }>)[0]!.id
    const records = await core.dispatch('flash.history', { boardId })
    if (!records.ok) throw new Error(records.error.message)
    return records.value as FlashRecord[]
  } finally {
    await core.close()
  }
}

describe.each(firmwares)('a flash killed during the read-back on firmware %s', (firmware) => {
  it('is recorded as interrupted, and the next flash cancels its leftover transfer and succeeds', async () => {
    const board = await startBoard({
      firmware,
      writeSpeedBytesPerSecond: 16 * mib,
      verifySpeedBytesPerSecond: mib / 2,
    })
    const home = join(dir.path, `home-${firmware}`)
    const env = { CLUSTERDECK_HOME: home, CLUSTERDECK_BMC_PASSWORD: '' }
    const added = await runCli(['board', 'add', 'rack', '--address', board.url, '--password-stdin'], {
      env,
      stdin: board.credentials.password,
    })
    expect(added.code, added.stderr).toBe(0)
    const trusted = await runCli(['bmc', '--board', 'rack', '--trust-on-first-use', 'info'], { env })
    expect(trusted.code, trusted.stderr).toBe(0)
    const flashArgs = ['bmc', '--board', 'rack', 'flash', '--node', '2', image.path, '--yes']

    const child = spawn(process.execPath, [bin, ...flashArgs], {
      env: { ...process.env, ...env },
      stdio: 'ignore',
    })
    const exited = new Promise((resolve) => child.once('exit', resolve))
    // Killed once the CLI has seen (and written down) the read-back.
    const db = openDatabase(home)
    try {
      await waitFor(
        () => db.prepare("SELECT 1 FROM flash_attempts WHERE phase = 'verifying'").get() !== undefined,
        30_000,
      )
    } finally {
      db.close()
    }
    expect(board.state.snapshot().transfer.phase).toBe('verifying')
    child.kill('SIGKILL')
    await exited
    // The BMC goes on reading back the transfer nobody waits for any more.
    const status = board.state.snapshot().transfer.status
    expect(typeof status === 'object' && 'Transferring' in status).toBe(true)

    const again = await runCli(flashArgs, { env })
    expect(again.code, again.stderr).toBe(0)
    expect(again.stderr).toMatch(/Cancelling the transfer an interrupted Clusterdeck flash left running/)
    expect(again.stderr).not.toMatch(/BMC busy/)
    expect(board.state.snapshot().nodes[1]!.flashed).toMatchObject({
      sha256: image.sha256,
      verified: true,
      outcome: 'done',
    })

    const records = await history(home)
    expect(records.map((r) => r.outcome).sort()).toEqual(['done', 'interrupted'])
    const interrupted = records.find((r) => r.outcome === 'interrupted')!
    expect(interrupted).toMatchObject({ node: 2, verified: false, failedPhase: 'verifying' })
    expect(interrupted.message).toMatch(/process \(pid \d+\) running this flash ended during verifying/)
  })
})
