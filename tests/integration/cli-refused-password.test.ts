// A wrong saved password across CLI runs: the BMC's refusal is kept in the board row, so seven runs
// send one login in total (bmcd bans this computer after five), until the password is changed.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startVirtualBoard, type VirtualBoard } from '../../src-main/virtual-board/virtual-board-server.ts'
import { runCli } from '../support/run-cli.ts'
import { makeTempDir } from '../support/temp-dir.ts'

let board: VirtualBoard
let dir: ReturnType<typeof makeTempDir>
let env: NodeJS.ProcessEnv

beforeAll(async () => {
  board = await startVirtualBoard({ firmware: '2.1' })
  dir = makeTempDir()
  env = { CLUSTERDECK_HOME: join(dir.path, 'home'), CLUSTERDECK_BMC_PASSWORD: '' }
})
afterAll(async () => {
  await board.close()
  dir.remove()
})

const powerStatus = ['bmc', '--board', 'rack-1', '--trust-on-first-use', 'power', 'status']

describe('a refused password across CLI runs', () => {
  it('sends one login for seven runs, and says why it sends none', async () => {
    const added = await runCli(['board', 'add', 'rack-1', '--address', board.url, '--password-stdin'], {
      env,
      stdin: 'not-the-password',
    })
    expect(added.code).toBe(0)

    const first = await runCli(powerStatus, { env })
    expect(first.code).toBe(1)
    expect(first.stderr).toMatch(/refused the user "root" and its password/)
    for (let run = 2; run <= 7; run++) {
      const again = await runCli(powerStatus, { env })
      expect(again.code).toBe(1)
      expect(again.stderr).toMatch(
        /refused its saved password on .*sends it no more logins until the password is changed/,
      )
      expect(again.stderr).toMatch(/board edit "rack-1" --password-stdin/)
    }
    expect(board.state.snapshot().auth).toMatchObject({ logins: 1, failedLogins: 1, blocked: false })

    const shown = await runCli(['board', 'show', 'rack-1'], { env })
    expect(shown.stdout).toMatch(/refused: .*refused the user "root"/)
    const listed = JSON.parse((await runCli(['board', 'list', '--json'], { env })).stdout) as unknown[]
    expect(listed).toMatchObject([{ name: 'rack-1', credentialsRefused: { message: expect.any(String) } }])
  })

  it('logs in again once the password is changed', async () => {
    const edited = await runCli(['board', 'edit', 'rack-1', '--password-stdin'], {
      env,
      stdin: board.credentials.password,
    })
    expect(edited.code).toBe(0)
    const run = await runCli(powerStatus, { env })
    expect(run).toMatchObject({ code: 0, stdout: expect.stringContaining('node 1  off') })
    expect(board.state.snapshot().auth).toMatchObject({ logins: 2, failedLogins: 1 })
    const listed = JSON.parse((await runCli(['board', 'list', '--json'], { env })).stdout) as unknown[]
    expect(listed).toMatchObject([{ credentialsRefused: null }])
  })
})
