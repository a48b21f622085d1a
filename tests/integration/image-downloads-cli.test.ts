// `clusterdeck image pull` as a real process: killed in the middle of a download, run again, it
// continues from the bytes on disk (the server sees a Range request) and ends with the right hash.
// Also rm/pin/list/limit and the Armbian listing error path through the CLI.
import { spawn } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startImageServer, type ImageServer } from '../support/image-server.ts'
import { imageBytes, sha256 } from '../support/make-image.ts'
import { runCli } from '../support/run-cli.ts'
import { makeTempDir } from '../support/temp-dir.ts'

const bin = fileURLToPath(new URL('../../bin/clusterdeck.js', import.meta.url))
let server: ImageServer
let dir: ReturnType<typeof makeTempDir>
let env: NodeJS.ProcessEnv
const raw = imageBytes(6 * 1024 * 1024, 42)

beforeAll(async () => {
  server = await startImageServer()
  dir = makeTempDir()
  env = { CLUSTERDECK_HOME: join(dir.path, 'home') }
})

afterAll(async () => {
  await server.close()
  dir.remove()
})

function partBytes(): number {
  const staging = join(dir.path, 'home', 'downloads')
  const part = (() => {
    try {
      return readdirSync(staging).find((file) => file.endsWith('.part'))
    } catch {
      return undefined
    }
  })()
  return part ? statSync(join(staging, part)).size : 0
}

describe('clusterdeck image pull', () => {
  it('resumes after the process is killed mid-download', async () => {
    server.files.set('/rk1.img', { body: raw, trickle: { chunkBytes: 64 * 1024, everyMs: 20 } })
    const url = server.url('/rk1.img')
    const child = spawn(process.execPath, [bin, 'image', 'pull', url, '--sha256', sha256(raw)], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const exited = new Promise((resolve) => child.on('close', resolve))
    const until = Date.now() + 20_000
    while (partBytes() < 1024 * 1024 && Date.now() < until) await new Promise((r) => setTimeout(r, 20))
    child.kill('SIGKILL')
    await exited
    const kept = partBytes()
    expect(kept).toBeGreaterThanOrEqual(1024 * 1024)
    expect(kept).toBeLessThan(raw.length)

    server.files.set('/rk1.img', { body: raw })
    const again = await runCli(['image', 'pull', url, '--sha256', sha256(raw)], { env })
    expect(again.stderr).toContain('resuming rk1.img from')
    expect(again).toMatchObject({ code: 0 })
    expect(again.stdout).toContain(sha256(raw))
    const resumed = server.requests.at(-1)!
    expect(resumed.range).toMatch(/^bytes=\d+-$/)
    expect(Number(/\d+/.exec(resumed.range!)![0])).toBeGreaterThanOrEqual(kept)
    expect(resumed.status).toBe(206)
    expect(partBytes()).toBe(0)
  })

  it('lists, pins, limits and removes images', async () => {
    const list = await runCli(['image', 'list'], { env })
    expect(list.stdout).toMatch(/rk1\.img/)
    expect(list.stdout).toMatch(/1 image, 6\.00 MiB, no size limit/)
    expect((await runCli(['image', 'pin', sha256(raw).slice(0, 10)], { env })).stdout).toBe(
      'Pinned rk1.img.\n',
    )
    expect((await runCli(['image', 'list'], { env })).stdout).toMatch(
      /pinned .*rk1\.img[\s\S]*\(6\.00 MiB pinned\)/,
    )
    expect((await runCli(['image', 'limit', '20GiB'], { env })).stdout).toBe(
      'The image cache limit is 20.0 GiB.\n',
    )
    expect((await runCli(['image', 'limit', 'lots'], { env })).code).toBe(2)
    const refused = await runCli(['image', 'rm', 'rk1.img'], { env })
    expect(refused).toMatchObject({ code: 2 })
    expect(refused.stderr).toContain('pass --yes')
    expect(await runCli(['image', 'rm', 'rk1.img', '--yes'], { env })).toMatchObject({
      code: 0,
      stdout: 'Deleted rk1.img (6.00 MiB).\n',
    })
  })

  it('says what cannot be fetched when a checksum does not match, and keeps nothing', async () => {
    server.files.set('/bad.img', { body: imageBytes(512 * 1024, 1) })
    const run = await runCli(['image', 'pull', server.url('/bad.img'), '--sha256', 'ee'.repeat(32)], { env })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('does not match its published checksum')
    expect(partBytes()).toBe(0)
    expect((await runCli(['image', 'list', '--json'], { env })).stdout).toBe('[]\n')
  })
})
