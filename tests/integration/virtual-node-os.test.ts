// A virtual node boots what was written to it: the OS is recognised from the image's first bytes
// (Talos's GPT partition names, Armbian's file system label), not from the file name, so a Talos
// image called anything boots Talos (and a deploy's boot wait sees it).
import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { startVirtualBoard, type VirtualBoard } from '../../src-main/virtual-board/virtual-board-server.ts'
import { armbianDiskImage, talosDiskImage } from '../support/make-image.ts'
import { api, isFinished, login, pollFlash, startFlash, upload } from './virtual-board-helpers.ts'

let board: VirtualBoard | undefined
afterEach(async () => {
  await board?.close()
  board = undefined
})

async function flashAndBoot(image: Buffer, fileName: string): Promise<string> {
  board = await startVirtualBoard({ firmware: '2.1', bootDelayMs: 10 })
  const token = await login(board)
  const sha256 = createHash('sha256').update(image).digest('hex')
  const handle = await startFlash(
    board,
    token,
    `node=0&file=${fileName}&length=${image.length}&sha256=${sha256}`,
  )
  const polling = pollFlash(board, token, isFinished, { intervalMs: 5 })
  expect((await upload(board, token, handle, image, { fileName, chunkBytes: 1024 * 1024 })).status).toBe(200)
  await polling
  // The API counts nodes from 0 in flash requests and from 1 in power requests.
  await api(board, token, 'opt=set&type=power&node1=1')
  for (let i = 0; i < 100 && board.state.uartText(0) === ''; i++) await sleep(20)
  return board.state.uartText(0)
}

describe('what a virtual node boots', () => {
  it('boots Talos from a Talos disk whatever its file name', async () => {
    const console = await flashAndBoot(talosDiskImage(), 'rk1-cluster.raw')
    expect(console).toMatch(/Linux version .*-talos/)
    expect(board!.state.snapshot().nodes[0]!.flashed).toMatchObject({
      fileName: 'rk1-cluster.raw',
      os: 'talos',
    })
  })

  it('boots Armbian from an Armbian disk, even one whose name says metal-arm64', async () => {
    const console = await flashAndBoot(armbianDiskImage(), 'metal-arm64.raw')
    expect(console).toMatch(/U-Boot .*-armbian/)
    expect(console).not.toMatch(/-talos/)
    expect(board!.state.snapshot().nodes[0]!.flashed).toMatchObject({
      fileName: 'metal-arm64.raw',
      os: 'armbian',
    })
  })
})
