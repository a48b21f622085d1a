// `clusterdeck bmc …` as a user runs it: the real CLI process against the virtual board over
// HTTPS, for both firmware versions, with a saved board (keychain) and with --bmc URL.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statfsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startVirtualBoard, type VirtualBoard } from '../../src-main/virtual-board/virtual-board-server.ts'
import { imageBytes, pack, sha256, writeImage } from '../support/make-image.ts'
import { runCli } from '../support/run-cli.ts'
import { makeTempDir } from '../support/temp-dir.ts'

describe.each(['2.1', '2.0.5'] as const)('clusterdeck bmc against firmware %s', (firmware) => {
  let board: VirtualBoard
  let dir: ReturnType<typeof makeTempDir>
  let env: NodeJS.ProcessEnv
  let raw: Buffer
  let rawPath: string
  const direct = () => ['bmc', '--bmc', board.url, '--fingerprint', board.fingerprint256]

  beforeAll(async () => {
    board = await startVirtualBoard({ firmware, writeSpeedBytesPerSecond: 40e6, bootDelayMs: 200 })
    dir = makeTempDir()
    env = { CLUSTERDECK_HOME: join(dir.path, 'home'), CLUSTERDECK_BMC_PASSWORD: board.credentials.password }
    raw = imageBytes(6 * 1024 * 1024, 5)
    rawPath = writeImage(join(dir.path, 'node.img'), raw)
  })

  afterAll(async () => {
    await board.close()
    dir.remove()
  })

  it('refuses an unknown certificate and names its fingerprint', async () => {
    const run = await runCli(['bmc', '--bmc', board.url, 'info'], { env })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(board.fingerprint256)
    expect(run.stderr).toMatch(/--trust-on-first-use/)
    expect(board.state.snapshot().sessions).toBe(0)
  })

  it('refuses a wrong fingerprint without sending the password', async () => {
    const wrong = board.fingerprint256.replace(/^../, board.fingerprint256.startsWith('00') ? '11' : '00')
    const run = await runCli(['bmc', '--bmc', board.url, '--fingerprint', wrong, 'info'], { env })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/presents certificate .* not the .* you gave/)
    expect(board.state.snapshot().sessions).toBe(0)
  })

  it('prints the firmware with info --json', async () => {
    const run = await runCli([...direct(), 'info', '--json'], { env })
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({
      firmware: { release: firmware === '2.1' ? '2.1.0' : '2.0.5' },
      capabilities: { xz: firmware === '2.1', uartDrainsOnRead: firmware === '2.0.5' },
    })
  })

  it('powers node 3 on and reports it in power status --json, nodes numbered 1–4', async () => {
    expect((await runCli([...direct(), 'power', 'on', '--node', '3'], { env })).code).toBe(0)
    expect(board.state.snapshot().nodes.map((n) => n.power)).toEqual([false, false, true, false])
    const status = await runCli([...direct(), 'power', 'status', '--json'], { env })
    expect(JSON.parse(status.stdout)).toMatchObject([
      { node: 1, poweredOn: false },
      { node: 2, poweredOn: false },
      { node: 3, poweredOn: true },
      { node: 4, poweredOn: false },
    ])
    expect((await runCli([...direct(), 'power', 'off', '--node', '3'], { env })).code).toBe(0)
  })

  it('rejects node numbers outside 1–4 as a usage error', async () => {
    const run = await runCli([...direct(), 'power', 'on', '--node', '0'], { env })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/expected 1, 2, 3, 4/)
  })

  it('flashes a saved board, trusting its certificate on first use, with a JSON result', async () => {
    const added = await runCli(
      ['board', 'add', `rack-${firmware}`, '--address', board.url, '--password-stdin'],
      {
        env: { ...env, CLUSTERDECK_BMC_PASSWORD: '' },
        stdin: board.credentials.password,
      },
    )
    expect(added.code).toBe(0)
    const run = await runCli(
      [
        'bmc',
        '--board',
        `rack-${firmware}`,
        '--trust-on-first-use',
        'flash',
        '--node',
        '2',
        rawPath,
        '--json',
      ],
      { env: { ...env, CLUSTERDECK_BMC_PASSWORD: '' } },
    )
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({
      node: 2,
      image: { name: 'node.img', sha256: sha256(raw), sizeBytes: raw.length },
      outcome: 'done',
      verified: true,
      poweredOn: true,
    })
    expect(run.stderr).toMatch(/\[node 2\] writing/)
    expect(run.stderr).toMatch(/\[node 2\] done/)
    const node = board.state.snapshot().nodes[1]!
    expect(node.flashed).toMatchObject({ sha256: sha256(raw), bytesWritten: raw.length, verified: true })
    expect(node.power).toBe(true)

    const shown = JSON.parse((await runCli(['board', 'show', `rack-${firmware}`, '--json'], { env })).stdout)
    expect(shown.certificateSha256).toBe(board.fingerprint256)
  })

  it('unpacks an .xz image and flashes its raw bytes, without power-on and verification when asked', async () => {
    const run = await runCli(
      [...direct(), 'flash', '--node', '4', pack(rawPath, 'xz'), '--no-verify', '--no-power-on', '--json'],
      { env },
    )
    expect(run.code, run.stderr).toBe(0)
    const result = JSON.parse(run.stdout)
    // Firmware 2.0.5 has no skip_crc: it always verifies, and the result says so.
    expect(result).toMatchObject({ outcome: 'done', verified: firmware === '2.0.5', poweredOn: false })
    const node = board.state.snapshot().nodes[3]!
    expect(node.flashed).toMatchObject({ sha256: sha256(raw), bytesWritten: raw.length })
    expect(node.power).toBe(false)
  })

  it('fails with a non-zero exit and the BMC’s message when the BMC reports an error', async () => {
    board.injectFault({
      kind: 'write-error',
      message: "Compute module's USB interface not found or supported",
      afterBytes: 1024 * 1024,
    })
    const run = await runCli([...direct(), 'flash', '--node', '1', rawPath, '--json'], { env })
    expect(run.code).toBe(1)
    expect(JSON.parse(run.stdout)).toMatchObject({
      outcome: 'failed',
      verified: false,
      failedPhase: 'writing',
    })
    expect(run.stderr).toMatch(/USB interface not found or supported/)
  })

  it('refuses a packed image the disk has no room to unpack, saying how much and where', async () => {
    // 64 MiB of zeros in a few KiB of gzip, and a reserve that leaves this import 8 MiB of the disk.
    const zeros = join(dir.path, 'zeros.img.gz')
    execFileSync('sh', ['-c', `head -c ${64 * 1024 * 1024} /dev/zero | gzip -1 > '${zeros}'`])
    const home = join(dir.path, 'home')
    const { bavail, bsize } = statfsSync(dir.path)
    const before = board.state.snapshot().transfer.status
    const cached = () => (existsSync(join(home, 'images')) ? readdirSync(join(home, 'images')) : [])
    const cachedBefore = cached()
    const run = await runCli([...direct(), 'flash', '--node', '2', zeros, '--json'], {
      env: { ...env, CLUSTERDECK_IMAGE_DISK_RESERVE_BYTES: String(bavail * bsize - 8 * 1024 * 1024) },
    })
    expect(run.code).toBe(1)
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'failed', failedPhase: 'preparing' })
    expect(run.stderr).toMatch(
      new RegExp(
        `Not enough disk space for zeros.img: unpacked it needs more than [\\d.]+ MiB in ${join(home, 'images')}`,
      ),
    )
    expect(run.stderr).toContain(`on the disk that holds ${join(home, 'images')}`)
    expect(cached()).toEqual(cachedBefore)
    expect(board.state.snapshot().transfer.status).toEqual(before)
  })

  it('refuses a file that is not a disk image', async () => {
    writeFileSync(join(dir.path, 'notes.txt'), 'not an image')
    const before = board.state.snapshot().transfer.status
    const run = await runCli([...direct(), 'flash', '--node', '1', join(dir.path, 'notes.txt')], { env })
    expect(run.code).not.toBe(0)
    expect(run.stderr).toMatch(/notes.txt is not a disk image Clusterdeck can flash/)
    expect(board.state.snapshot().transfer.status).toEqual(before)
  })

  it('reads the boot text of a powered node from its console', async () => {
    await runCli([...direct(), 'power', 'on', '--node', '1'], { env })
    await new Promise((resolve) => setTimeout(resolve, 400))
    const run = await runCli([...direct(), 'uart', 'read', '--node', '1'], { env })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/Starting kernel/)
    // What the CLI printed is what node 1's console held (the board counts nodes from 0); firmware
    // 2.0.5 drains the console on read, so there nothing is left behind.
    if (firmware === '2.0.5') expect(board.state.uartText(0)).toBe('')
    else expect(board.state.uartText(0)).toContain(run.stdout.slice(-300))
  })
})
