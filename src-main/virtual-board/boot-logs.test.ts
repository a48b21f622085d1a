import { describe, expect, it } from 'vitest'
import { bootLogForOneBoot, kernelLine } from './boot-logs.ts'

describe('bootLogForOneBoot', () => {
  it('varies the kernel timestamps from boot to boot and keeps the text otherwise', () => {
    const log = Buffer.from('[    0.104012] smp: Brought up 1 node\r\n[    6.503372] [talos] ready\r\n')
    const first = bootLogForOneBoot(log, () => 0.5).toString()
    const second = bootLogForOneBoot(log, () => 0.9).toString()
    expect(first).toBe('[    0.106512] smp: Brought up 1 node\r\n[    6.505872] [talos] ready\r\n')
    expect(second).not.toBe(first)
    expect(second.replace(/\[[\d. ]+\]/g, '[]')).toBe(first.replace(/\[[\d. ]+\]/g, '[]'))
  })
})

describe('the Talos boot as a virtual Talos node continues it', () => {
  it('prints Talos lines with a kernel timestamp after the kernel part', () => {
    expect(kernelLine(1234.5, 'boot sequence: done').toString()).toBe(
      '[    3.334500] [talos] boot sequence: done\r\n',
    )
  })
})
